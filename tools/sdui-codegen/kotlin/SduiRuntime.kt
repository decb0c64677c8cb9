package com.homewidgets.sdui

import org.json.JSONArray
import org.json.JSONException
import org.json.JSONObject
import org.json.JSONTokener

/** A document that does not follow the schema; [path] is a JSON pointer to the offending value. */
class SduiDecodeException(val path: String, val reason: String) : RuntimeException("${path.ifEmpty { "/" }}: $reason")

/** Decodes SDUI JSON (Android's org.json) into the models of SduiModels.kt. */
object SduiDecoder {
    /**
     * Decodes a screen. Parts written for a newer schema version (unknown node or action types,
     * unknown tokens in required fields) are replaced by their node's fallback or left out;
     * unknown fields and unknown tokens in optional fields are ignored.
     * @throws SduiDecodeException when the document does not follow the schema.
     */
    fun decodeScreen(json: String): Screen = readScreen(parse(json), "", DecodeContext())

    /** Decodes one widget, like [decodeScreen]; null when neither the widget nor its fallback can be shown. */
    fun decodeWidget(json: String): Widget? = readWidget(parse(json), "", DecodeContext())

    private fun parse(json: String): Any? =
        try {
            JSONTokener(json).nextValue()
        } catch (e: JSONException) {
            throw SduiDecodeException("", "malformed JSON: ${e.message}")
        }
}

/** Implemented by every token enum: [wire] is the value in JSON. */
interface SduiToken {
    val wire: String
}

/** Part of the tree from a newer schema version: its node is replaced by its fallback, or dropped. */
internal object UnsupportedNode : RuntimeException(null, null, false, false)

private val TOKEN = Regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

internal fun child(path: String, key: Any): String = "$path/" + key.toString().replace("~", "~0").replace("/", "~1")

/** The state of one decode: the limits of the current widget (the node at depth 1) and the id sets. */
internal class DecodeContext {
    private var depth = 0
    private var nodesInWidget = 0
    private val idsInWidget = HashSet<String>()
    private val widgetIds = HashSet<String>()

    /** Ids in registration order (and whether each is a widget id), so an unsupported node can take them back. */
    private val registered = ArrayList<Pair<String, Boolean>>()

    fun error(path: String, reason: String) = SduiDecodeException(path, reason)

    fun obj(v: Any?, p: String): JSONObject = v as? JSONObject ?: throw error(p, "must be an object")

    /** A member of [o]: absent is an error only when [required]; unsupported content leaves an optional member out. */
    fun <T : Any> field(o: JSONObject, key: String, p: String, required: Boolean, decode: (Any?, String) -> T?): T? {
        val path = child(p, key)
        if (!o.has(key)) {
            if (required) throw error(path, "is required")
            return null
        }
        val value = try {
            decode(o.get(key), path)
        } catch (e: UnsupportedNode) {
            null
        }
        if (value == null && required) throw UnsupportedNode
        return value
    }

    fun constant(o: JSONObject, key: String, p: String, expected: String) {
        if (o.opt(key) != expected) throw error(child(p, key), "must be \"$expected\"")
    }

    fun string(v: Any?, p: String, min: Int, max: Int, pattern: Regex?): String {
        if (v !is String) throw error(p, "must be a string")
        val length = v.codePointCount(0, v.length)
        if (length < min) throw error(p, "must be at least $min characters")
        if (length > max) throw error(p, "must be at most $max characters")
        if (pattern != null && !pattern.matches(v)) throw error(p, "must match ${pattern.pattern}")
        return v
    }

    fun long(v: Any?, p: String, min: Double, max: Double): Long {
        val number = (v as? Number)?.toDouble()
        if (number == null || number.isInfinite() || number % 1.0 != 0.0) throw error(p, "must be an integer")
        return checkRange(number, p, min, max).toLong()
    }

    fun int(v: Any?, p: String, min: Double, max: Double): Int = long(v, p, min, max).toInt()

    fun double(v: Any?, p: String, min: Double, max: Double): Double {
        val number = (v as? Number)?.toDouble()
        if (number == null || number.isNaN() || number.isInfinite()) throw error(p, "must be a number")
        return checkRange(number, p, min, max)
    }

    private fun checkRange(number: Double, p: String, min: Double, max: Double): Double {
        if (number < min) throw error(p, "must be at least ${plain(min)}")
        if (number > max) throw error(p, "must be at most ${plain(max)}")
        return number
    }

    fun boolean(v: Any?, p: String): Boolean = v as? Boolean ?: throw error(p, "must be a boolean")

    /** A token this version does not know (but well formed) comes from a newer schema: unsupported. */
    fun <E> token(v: Any?, p: String, entries: List<E>): E where E : Enum<E>, E : SduiToken {
        if (v !is String || !TOKEN.matches(v)) throw error(p, "must be one of: ${entries.joinToString { it.wire }}")
        return entries.firstOrNull { it.wire == v } ?: throw UnsupportedNode
    }

    /** Items this client cannot render are left out; if too few remain, the list's node is unsupported. */
    fun <T : Any> list(v: Any?, p: String, min: Int, max: Int, decode: (Any?, String) -> T?): List<T> {
        val array = v as? JSONArray ?: throw error(p, "must be an array")
        if (array.length() < min) throw error(p, "must have at least $min items")
        if (array.length() > max) throw error(p, "must have at most $max items")
        val items = (0 until array.length()).mapNotNull { i ->
            try {
                decode(array.get(i), child(p, i))
            } catch (e: UnsupportedNode) {
                null
            }
        }
        if (items.size < min) throw UnsupportedNode
        return items
    }

    fun stringMap(v: Any?, p: String, keyPattern: Regex, maxValueLength: Int): Map<String, String> {
        val o = obj(v, p)
        return o.keys().asSequence().associateWith { key ->
            if (!keyPattern.matches(key)) throw error(child(p, key), "must match ${keyPattern.pattern}")
            string(o.get(key), child(p, key), 0, maxValueLength, null)
        }
    }

    fun requiredWith(o: JSONObject, p: String, whenPresent: String, then: String) {
        if (o.has(whenPresent) && !o.has(then)) throw error(child(p, then), "is required when $whenPresent is set")
    }

    /** Node ids are unique within their widget, and widget ids within the screen. */
    fun uniqueId(id: String, p: String): String {
        if (depth == 1 && !widgetIds.add(id)) throw error(child(p, "id"), "duplicate widget id \"$id\"")
        if (!idsInWidget.add(id)) throw error(child(p, "id"), "duplicate id \"$id\" in this widget")
        registered.add(id to (depth == 1))
        return id
    }

    /** Forgets what a node that turned out unsupported registered, before its fallback is decoded. */
    private fun rollBack(ids: Int, nodes: Int) {
        while (registered.size > ids) {
            val (id, isWidgetId) = registered.removeAt(registered.lastIndex)
            idsInWidget.remove(id)
            if (isWidgetId) widgetIds.remove(id)
        }
        nodesInWidget = nodes
    }

    /**
     * A node of one of [variants]. A type this version does not know, or content it cannot render,
     * makes the node unsupported: its `fallback` (decoded by [self]) is used instead, or nothing.
     */
    fun <T : Any> node(
        v: Any?,
        p: String,
        variants: Map<String, (JSONObject, String, DecodeContext) -> T>,
        self: (Any?, String, DecodeContext) -> T?,
    ): T? {
        val o = obj(v, p)
        if (depth == 0) {
            nodesInWidget = 0
            idsInWidget.clear()
            registered.clear()
        }
        depth++
        try {
            if (depth > SduiSchema.MAX_DEPTH) throw error(p, "nodes may nest at most ${SduiSchema.MAX_DEPTH} deep")
            if (++nodesInWidget > SduiSchema.MAX_NODES_PER_WIDGET) {
                throw error(p, "a widget may have at most ${SduiSchema.MAX_NODES_PER_WIDGET} nodes")
            }
            val ids = registered.size
            val nodes = nodesInWidget
            val decoded = try {
                variants[type(o, p, variants.keys, SduiSchema.NODE_TYPES)]?.invoke(o, p, this)
            } catch (e: UnsupportedNode) {
                rollBack(ids, nodes)
                null
            }
            val result = decoded ?: if (o.has("fallback")) self(o.get("fallback"), child(p, "fallback"), this) else null
            if (depth == 1) checkWidgetBytes(o, p)
            return result
        } finally {
            depth--
        }
    }

    /** An action; one of a type this version does not know makes its node unsupported. */
    fun <T : Any> action(v: Any?, p: String, variants: Map<String, (JSONObject, String, DecodeContext) -> T>): T {
        val o = obj(v, p)
        val decode = variants[type(o, p, variants.keys, variants.keys)] ?: throw UnsupportedNode
        return decode(o, p, this)
    }

    /** The `type` of [o]: a known type outside [variants], or a malformed one, is an error. */
    private fun type(o: JSONObject, p: String, variants: Set<String>, known: Set<String>): String {
        val type = o.opt("type") ?: throw error(child(p, "type"), "is required")
        if (type !is String || !TOKEN.matches(type) || (type in known && type !in variants)) {
            throw error(child(p, "type"), "must be one of: ${variants.joinToString()}")
        }
        return type
    }

    private fun checkWidgetBytes(o: JSONObject, p: String) {
        val bytes = jsonBytes(o)
        if (bytes > SduiSchema.MAX_WIDGET_BYTES) {
            throw error(p, "widget is $bytes bytes of JSON; at most ${SduiSchema.MAX_WIDGET_BYTES} are allowed")
        }
    }
}

private fun plain(number: Double): String = if (number % 1.0 == 0.0) number.toLong().toString() else number.toString()

/** UTF-8 size of [v] as compact JSON, counted as JavaScript's JSON.stringify writes it (the TypeScript measure). */
internal fun jsonBytes(v: Any?): Long = when (v) {
    is JSONObject -> 1L + v.keys().asSequence().sumOf { stringBytes(it) + 2 + jsonBytes(v.get(it)) }.coerceAtLeast(1)
    is JSONArray -> 1L + (0 until v.length()).sumOf { jsonBytes(v.get(it)) + 1 }.coerceAtLeast(1)
    is String -> stringBytes(v)
    is Boolean -> if (v) 4L else 5L
    is Int, is Long -> v.toString().length.toLong()
    is Number -> plain(v.toDouble()).length.toLong()
    else -> 4L // null
}

private fun stringBytes(s: String): Long {
    var bytes = 2L
    var i = 0
    while (i < s.length) {
        val ch = s[i]
        bytes += when {
            ch == '"' || ch == '\\' || ch == '\b' || ch == '\u000C' || ch == '\n' || ch == '\r' || ch == '\t' -> 2
            ch < ' ' -> 6
            ch.code < 0x80 -> 1
            ch.code < 0x800 -> 2
            ch.isHighSurrogate() && i + 1 < s.length && s[i + 1].isLowSurrogate() -> 4.also { i++ }
            ch.isSurrogate() -> 6
            else -> 3
        }
        i++
    }
    return bytes
}
