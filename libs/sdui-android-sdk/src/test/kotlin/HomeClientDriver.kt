import com.homewidgets.sdui.SduiDecoder
import com.homewidgets.sdui.SduiSchema
import com.homewidgets.sdui.Screen
import com.homewidgets.sdui.TrackAction
import com.homewidgets.sdui.Widget
import com.homewidgets.sdui.client.CachedCopy
import com.homewidgets.sdui.client.EventDelivery
import com.homewidgets.sdui.client.HomeClient
import com.homewidgets.sdui.client.HomeClientConfig
import com.homewidgets.sdui.client.HomeError
import com.homewidgets.sdui.client.HomeResult
import com.homewidgets.sdui.client.LiveUpdate
import com.homewidgets.sdui.client.LiveUpdates
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import org.json.JSONArray
import org.json.JSONObject
import java.io.File
import java.io.PrintStream
import java.net.InetSocketAddress
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * Test driver of the SDK (run by tools/sdui-android/home-client.integration-spec.ts, on the built jar). Reads one command
 * a line from stdin and prints one JSON line per reply; live updates are printed as they come:
 *
 *   client <baseUrl> <token> [<schema version> <components>]
 *                                  a new HomeClient (fast reconnection, events flushed only when asked)
 *   fetch                          {"reply":"fetch","result":{...}}
 *   live                           starts live updates: {"update":"connected"|"refreshed"|"disconnected",...}
 *   report impression|click <id>   queues an event for the widget <id> of the last screen
 *   flush                          {"reply":"flush","delivery":{...}}
 *   decode <file>                  decodes a screen file with the generated decoder alone
 *   faults                         what the SDK does with a misbehaving server (a JDK HttpServer here)
 */
private val out = PrintStream(System.out, true, "UTF-8")

private fun emit(json: JSONObject) = synchronized(out) { out.println(json) }

private fun ids(screen: Screen?): Any = screen?.let { JSONArray(it.widgets.map(Widget::id)) } ?: JSONObject.NULL

private fun describe(error: HomeError): JSONObject {
    val json = JSONObject().put("type", error::class.simpleName)
    when (error) {
        is HomeError.ServerError -> json.put("status", error.status).put("retryAfterSeconds", error.retryAfterSeconds)
        is HomeError.Refused -> json.put("status", error.status).put("detail", error.detail)
        is HomeError.MalformedScreen -> json.put("path", error.path)
        is HomeError.Unauthorized, is HomeError.Network, HomeError.StreamEnded -> Unit
    }
    return json
}

private fun describe(result: HomeResult): JSONObject = when (result) {
    is HomeResult.Loaded -> JSONObject()
        .put("kind", "loaded")
        .put("notModified", result.notModified)
        .put("stale", result.stale)
        .put("widgets", ids(result.screen))
    is HomeResult.Failed -> JSONObject().put("kind", "failed").put("error", describe(result.error)).put("lastGood", ids(result.lastGood))
}

private fun describe(delivery: EventDelivery): JSONObject = when (delivery) {
    is EventDelivery.Sent -> JSONObject().put("kind", "sent").put("count", delivery.count)
    EventDelivery.NothingQueued -> JSONObject().put("kind", "nothing-queued")
    is EventDelivery.Failed -> JSONObject()
        .put("kind", "failed")
        .put("error", describe(delivery.error))
        .put("kept", delivery.kept)
        .put("dropped", delivery.dropped)
}

private fun describe(update: LiveUpdate): JSONObject = when (update) {
    LiveUpdate.Connected -> JSONObject().put("update", "connected")
    is LiveUpdate.Refreshed -> JSONObject().put("update", "refreshed").put("result", describe(update.result))
    is LiveUpdate.Disconnected -> JSONObject().put("update", "disconnected").put("error", describe(update.error))
}

private fun testConfig(baseUrl: String, token: String, capabilities: List<String> = emptyList()) = HomeClientConfig(
    baseUrl = baseUrl,
    token = { token },
    schemaVersion = capabilities.getOrNull(0) ?: SduiSchema.VERSION,
    components = capabilities.getOrNull(1)?.split(',')?.toSet() ?: SduiSchema.NODE_TYPES,
    reconnectInitialDelayMs = 200,
    reconnectMaxDelayMs = 1_000,
    eventFlushIntervalMs = 3_600_000,
)

fun main() {
    var client: HomeClient? = null
    var live: LiveUpdates? = null
    System.`in`.bufferedReader(Charsets.UTF_8).lineSequence().forEach { line ->
        val words = line.trim().split(' ')
        val reply = JSONObject().put("reply", words[0])
        when (words[0]) {
            "client" -> {
                live?.close()
                client?.close()
                client = HomeClient(testConfig(words[1], words[2], words.drop(3)))
            }
            "fetch" -> reply.put("result", describe(client!!.fetchScreen()))
            "live" -> live = client!!.startLiveUpdates { update -> emit(describe(update)) }
            "report" -> {
                val widget = client!!.lastScreen!!.widgets.first { it.id == words[2] }
                val queued = when (words[1]) {
                    "click" -> client.reportClick(widget)
                    // report track <widget> <event> [key=value ...]
                    "track" -> client.reportTrack(
                        widget,
                        TrackAction(words[3], words.drop(4).associate { it.substringBefore('=') to it.substringAfter('=') }),
                    )
                    else -> client.reportImpression(widget)
                }
                reply.put("queued", queued)
            }
            "flush" -> reply.put("delivery", describe(client!!.flushEvents()))
            "decode" -> reply.put("widgets", ids(SduiDecoder.decodeScreen(File(words[1]).readText())))
            "faults" -> reply.put("faults", faults())
            else -> reply.put("unknown", line)
        }
        emit(reply)
    }
    live?.close()
    client?.close()
}

/** A server that answers each request of a path with the next planned answer, and records the requests. */
private class PlannedServer : AutoCloseable {
    class Answer(val status: Int, val body: String, val headers: Map<String, String> = emptyMap(), val holdOpen: Boolean = false)

    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    private val plans = mutableMapOf<String, ArrayDeque<Answer>>()
    val requests = LinkedBlockingQueue<Pair<String, Map<String, String>>>()
    /** The bodies of the event batches received. */
    val eventBatches = LinkedBlockingQueue<JSONObject>()
    val url get() = "http://127.0.0.1:${server.address.port}"

    init {
        server.executor = java.util.concurrent.Executors.newCachedThreadPool { Thread(it).apply { isDaemon = true } }
        server.createContext("/") { exchange -> answer(exchange) }
        server.start()
    }

    fun plan(path: String, vararg answers: Answer) {
        synchronized(plans) { plans.getOrPut(path) { ArrayDeque() }.addAll(answers) }
    }

    private fun answer(exchange: HttpExchange) {
        val path = exchange.requestURI.path
        val body = exchange.requestBody.readBytes().toString(Charsets.UTF_8)
        if (path == "/v1/events") eventBatches.add(JSONObject(body))
        requests.add(path to exchange.requestHeaders.entries.associate { (k, v) -> k.lowercase() to v.joinToString(",") })
        val answer = synchronized(plans) { plans[path]?.removeFirstOrNull() } ?: Answer(404, "")
        answer.headers.forEach { (k, v) -> exchange.responseHeaders.add(k, v) }
        val bytes = answer.body.toByteArray()
        // 0 is a chunked body of any length (a stream held open), -1 none.
        val length = when {
            answer.holdOpen -> 0L
            bytes.isEmpty() -> -1L
            else -> bytes.size.toLong()
        }
        exchange.sendResponseHeaders(answer.status, length)
        if (length == -1L) return exchange.close()
        exchange.responseBody.write(bytes)
        exchange.responseBody.flush()
        if (answer.holdOpen) Thread.sleep(60_000)
        exchange.close()
    }

    override fun close() = server.stop(0)
}

private fun widgetJson(id: String, type: String = "card", extra: String = "", campaign: String = "") =
    """{"type":"$type","id":"$id"$extra,"children":[{"type":"text","id":"$id-text","text":"hi"}],""" +
        """"provenance":{"productId":"deals","audience":"generic","dataVersion":"3"$campaign}}"""

private fun screenJson(vararg widgets: String, version: String = "1.0.0") =
    """{"type":"screen","id":"home","schemaVersion":"$version","widgets":[${widgets.joinToString(",")}]}"""

private fun faults(): JSONObject {
    val result = JSONObject()
    PlannedServer().use { server ->
        val json = mapOf("Content-Type" to "application/json")
        val newer = screenJson(
            // a newer server's component, with a fallback, and one without: the fallback, then nothing
            """{"type":"hologram","id":"holo","fallback":${widgetJson("holo-fallback")}}""",
            """{"type":"hologram","id":"gone"}""",
            // an experiment's variant (schema 1.1): its events name the experiment and the variant
            widgetJson("kept", campaign = ""","experimentId":"spring","variantId":"bold""""),
        )
        server.plan(
            "/v1/home",
            PlannedServer.Answer(200, """{"type":"screen","id":""", json),
            PlannedServer.Answer(200, newer, json + ("ETag" to "\"e1\"")),
            PlannedServer.Answer(502, "<html>Bad gateway</html>", mapOf("Content-Type" to "text/html")),
            PlannedServer.Answer(200, screenJson(widgetJson("next"), version = "2.0.0"), json),
            PlannedServer.Answer(304, "", mapOf("ETag" to "\"e1\"")),
        )
        val client = HomeClient(testConfig(server.url, "t"))
        result.put("malformed", describe(client.fetchScreen()))
        result.put("newerComponents", describe(client.fetchScreen()))
        result.put("badGateway", describe(client.fetchScreen()))
        result.put("otherMajor", describe(client.fetchScreen()))
        result.put("notModified", describe(client.fetchScreen()))
        result.put("ifNoneMatch", JSONArray(generateSequence { server.requests.poll() }.map { it.second["if-none-match"] ?: JSONObject.NULL }.toList()))
        val restored = HomeClient(testConfig(server.url, "t"), CachedCopy(client.cachedCopy!!.body, client.cachedCopy!!.etag))
        result.put("restoredCopy", ids(restored.lastScreen))

        // Events: a 503 keeps the batch, the next flush sends it; a 400 drops what can never pass.
        server.plan(
            "/v1/events",
            PlannedServer.Answer(503, """{"detail":"down"}""", mapOf("Retry-After" to "1", "Content-Type" to "application/problem+json")),
            PlannedServer.Answer(202, ""),
            PlannedServer.Answer(400, """{"detail":"invalid"}""", mapOf("Content-Type" to "application/problem+json")),
        )
        val kept = client.lastScreen!!.widgets.first { it.id == "kept" }
        client.reportImpression(kept)
        client.reportClick(kept)
        result.put("events", JSONArray(listOf(client.flushEvents(), client.flushEvents()).map(::describe)))
        val sent = generateSequence { server.eventBatches.poll() }.last().getJSONArray("events").getJSONObject(0)
        result.put("eventCampaign", JSONObject().put("experimentId", sent.opt("experimentId")).put("variantId", sent.opt("variantId")))
        client.reportImpression(kept)
        result.put("invalidEvents", JSONArray(listOf(client.flushEvents(), client.flushEvents()).map(::describe)))
        server.requests.clear()

        // The stream: one change event with an id, then the server drops it; the client comes back with the id.
        server.plan(
            "/v1/home/stream",
            PlannedServer.Answer(200, "retry: 100\nid: 7\nevent: widget-changed\ndata: {}\n\n", mapOf("Content-Type" to "text/event-stream")),
            PlannedServer.Answer(200, ": connected\n\n", mapOf("Content-Type" to "text/event-stream"), holdOpen = true),
        )
        server.plan("/v1/home", *Array(3) { PlannedServer.Answer(304, "", mapOf("ETag" to "\"e1\"")) })
        val updates = LinkedBlockingQueue<LiveUpdate>()
        val live = client.startLiveUpdates { update ->
            updates.add(update)
            throw IllegalStateException("a failing listener does not stop the stream")
        }
        val seen = JSONArray()
        while (seen.length() < 6) seen.put(describe(updates.poll(10, TimeUnit.SECONDS) ?: break))
        live.close()
        client.close()
        result.put("stream", seen)
        val streamRequests = generateSequence { server.requests.poll() }.filter { it.first == "/v1/home/stream" }.toList()
        result.put("lastEventIds", JSONArray(streamRequests.map { it.second["last-event-id"] ?: JSONObject.NULL }))
    }
    return result
}
