package com.homewidgets.sdui

/**
 * The reference renderer: a decoded tree as a plain outline, one node per line, indented two spaces per
 * level: its type and id, its texts and accessibility labels as `field="value"`, its action on a line
 * `-> type ...` under it (a sheet's content under that), then its children. `outlineScreen` in
 * @hwp/sdui-schema writes the same outline in TypeScript, and the tests require both to agree on every
 * golden fixture (see docs/sdui/rendering.md). It is also the smallest example of a [SduiNodeVisitor].
 */
object SduiOutline {
    fun screen(screen: Screen): String {
        val writer = OutlineWriter()
        writer.line("screen #${screen.id}", item("title", screen.title))
        writer.nested { screen.widgets.forEach { it.accept(writer) } }
        return writer.text()
    }

    fun node(node: SduiNode): String = OutlineWriter().also { node.accept(it) }.text()
}

private class OutlineWriter : SduiNodeVisitor<Unit> {
    private val out = StringBuilder()
    private var depth = 0

    fun text(): String = out.toString()

    fun line(head: String, vararg items: String?) {
        repeat(depth) { out.append("  ") }
        out.append(head)
        items.forEach { if (it != null) out.append(' ').append(it) }
        out.append('\n')
    }

    fun nested(block: () -> Unit) {
        depth++
        try {
            block()
        } finally {
            depth--
        }
    }

    private fun write(
        type: String,
        id: String,
        vararg items: String?,
        action: Action? = null,
        children: List<SduiNode?> = emptyList(),
    ) {
        line("$type #$id", *items)
        nested {
            if (action != null) write(action)
            children.forEach { it?.accept(this) }
        }
    }

    private fun write(action: Action) {
        when (action) {
            is NavigateAction -> line("-> navigate", item("deeplink", action.deeplink))
            is OpenUrlAction -> line("-> open-url", item("url", action.url))
            is OpenSheetAction -> {
                line("-> open-sheet", item("title", action.title))
                nested { action.content.accept(this) }
            }
            is DismissWidgetAction -> line("-> dismiss-widget")
            is TrackAction -> line("-> track", item("event", action.event))
            is RefreshScreenAction -> line("-> refresh-screen")
        }
    }

    override fun visitSection(node: SectionNode) = write(
        "section", node.id,
        item("title", node.title), item("subtitle", node.subtitle),
        item("accessibilityLabel", node.accessibilityLabel),
        action = node.action, children = node.children,
    )

    override fun visitStack(node: StackNode) = write("stack", node.id, children = node.children)

    override fun visitRow(node: RowNode) = write("row", node.id, children = node.children)

    override fun visitColumn(node: ColumnNode) = write("column", node.id, children = node.children)

    override fun visitGrid(node: GridNode) = write("grid", node.id, children = node.children)

    override fun visitCard(node: CardNode) = write(
        "card", node.id,
        item("accessibilityLabel", node.accessibilityLabel),
        action = node.action, children = node.children,
    )

    override fun visitCarousel(node: CarouselNode) = write("carousel", node.id, children = node.children)

    override fun visitText(node: TextNode) = write("text", node.id, item("text", node.text))

    override fun visitImage(node: ImageNode) = write(
        "image", node.id,
        item("alt", node.alt), item("accessibilityLabel", node.accessibilityLabel),
        action = node.action,
    )

    override fun visitButton(node: ButtonNode) = write(
        "button", node.id,
        item("label", node.label), item("accessibilityLabel", node.accessibilityLabel),
        action = node.action,
    )

    override fun visitIcon(node: IconNode) = write(
        "icon", node.id,
        item("name", node.name.wire), item("accessibilityLabel", node.accessibilityLabel),
    )

    override fun visitBadge(node: BadgeNode) = write("badge", node.id, item("label", node.label))

    override fun visitBanner(node: BannerNode) = write(
        "banner", node.id,
        item("title", node.title), item("subtitle", node.subtitle), item("imageAlt", node.imageAlt),
        item("accessibilityLabel", node.accessibilityLabel),
        action = node.action, children = node.children ?: emptyList(),
    )

    override fun visitListItem(node: ListItemNode) = write(
        "list-item", node.id,
        item("title", node.title), item("subtitle", node.subtitle),
        item("accessibilityLabel", node.accessibilityLabel),
        action = node.action, children = listOf(node.leading, node.trailing),
    )

    override fun visitDivider(node: DividerNode) = write("divider", node.id)

    override fun visitSpacer(node: SpacerNode) = write("spacer", node.id)

    override fun visitPrice(node: PriceNode) = write(
        "price", node.id,
        item("amountMinor", node.amountMinor), item("currency", node.currency),
        item("originalAmountMinor", node.originalAmountMinor),
    )

    override fun visitCountdown(node: CountdownNode) = write(
        "countdown", node.id,
        item("endsAt", node.endsAt), item("label", node.label), item("expiredLabel", node.expiredLabel),
    )

    override fun visitProgress(node: ProgressNode) = write(
        "progress", node.id,
        item("value", node.value), item("max", node.max), item("label", node.label),
    )

    override fun visitRating(node: RatingNode) = write(
        "rating", node.id,
        item("value", node.value), item("reviewCount", node.reviewCount),
    )
}

private fun item(name: String, value: String?): String? = value?.let { "$name=${quote(it)}" }

/** Numbers as JavaScript prints them: a whole Double without ".0". */
private fun item(name: String, value: Number?): String? = value?.let {
    "$name=" + if (it is Double && it % 1.0 == 0.0) it.toLong().toString() else it.toString()
}

/** A JSON string literal, escaped as JavaScript's JSON.stringify does. */
private fun quote(s: String): String {
    val b = StringBuilder("\"")
    for (ch in s) {
        when {
            ch == '"' -> b.append("\\\"")
            ch == '\\' -> b.append("\\\\")
            ch == '\n' -> b.append("\\n")
            ch == '\r' -> b.append("\\r")
            ch == '\t' -> b.append("\\t")
            ch == '\b' -> b.append("\\b")
            ch == '\u000C' -> b.append("\\f")
            ch < ' ' -> b.append(String.format("\\u%04x", ch.code))
            else -> b.append(ch)
        }
    }
    return b.append('"').toString()
}
