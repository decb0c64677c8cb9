package com.homewidgets.sdui.client

import com.homewidgets.sdui.Widget
import org.json.JSONArray
import org.json.JSONObject
import java.io.IOException
import java.time.Instant
import java.util.concurrent.Executors
import java.util.concurrent.RejectedExecutionException
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit

/**
 * Impressions, clicks and track actions' events waiting for POST /v1/events. They are sent in batches when [HomeClientConfig.eventBatchSize]
 * are waiting and every [HomeClientConfig.eventFlushIntervalMs], on one background thread started with the first
 * event. A batch that fails for a reason that may pass (network, 401, 429, 5xx) stays queued.
 */
internal class EventQueue(private val config: HomeClientConfig, private val http: CoreApiHttp) {
    private val queue = ArrayDeque<JSONObject>()
    private val sending = Any()
    @Volatile private var background: ScheduledExecutorService? = null
    private var closed = false

    /** Queues an event of [type] about [widget]; [details] adds a track event's name and properties. */
    fun add(type: WidgetEventType, widget: Widget, details: (JSONObject) -> Unit = {}): Boolean {
        val provenance = widget.provenance ?: return false
        val event = JSONObject()
            .put("type", type.wire)
            .put("productId", provenance.productId)
            .put("audience", provenance.audience.wire)
            .put("dataVersion", provenance.dataVersion)
            // The campaign that chose the widget (schema 1.1): counted per segment or experiment variant.
            .putOpt("segmentId", provenance.segmentId)
            .putOpt("experimentId", provenance.experimentId)
            .putOpt("variantId", provenance.variantId)
            .put("widgetId", widget.id)
            .put("at", Instant.now().toString())
        details(event)
        val full = synchronized(queue) {
            if (closed) return false
            queue.addLast(event)
            while (queue.size > config.maxQueuedEvents) queue.removeFirst()
            startBackground()
            queue.size >= config.eventBatchSize
        }
        if (full) inBackground { flush() }
        return true
    }

    /** Sends batches until the queue is empty or one fails. */
    fun flush(): EventDelivery = synchronized(sending) {
        var sent = 0
        var batch = next()
        while (batch.isNotEmpty()) {
            val failure = send(batch)
            // Invalid events (e.g. older than core-api's 7 days) would never pass: they are dropped.
            val refused = failure is HomeError.Refused && failure.status == 400
            if (failure == null || refused) removeSent(batch)
            if (failure != null) {
                val (kept, dropped) = if (refused) 0 to batch.size else batch.size to 0
                return EventDelivery.Failed(failure, sent, kept, dropped)
            }
            sent += batch.size
            batch = next()
        }
        if (sent == 0) EventDelivery.NothingQueued else EventDelivery.Sent(sent)
    }

    fun close() {
        val executor = synchronized(queue) {
            closed = true
            background
        } ?: return
        inBackground { flush() }
        executor.shutdown()
    }

    private fun next(): List<JSONObject> = synchronized(queue) { queue.take(config.eventBatchSize) }

    /** Runs [task] on the background thread, unless [close] has just shut it down. */
    private fun inBackground(task: () -> Unit) {
        try {
            background?.execute(task)
        } catch (e: RejectedExecutionException) {
            // closed meanwhile; close() sends what is queued
        }
    }

    /** The error of a batch core-api did not accept, or null when it answered 202. */
    private fun send(batch: List<JSONObject>): HomeError? {
        val body = JSONObject().put("events", JSONArray(batch)).toString()
        return try {
            val answer = http.exchange("POST", EVENTS_PATH, mapOf("Accept" to "application/json"), body)
            if (answer.status == 202) null else answer.error()
        } catch (e: IOException) {
            HomeError.Network(e)
        }
    }

    /** Takes the sent events off the queue: the head, unless the cap pushed some of them out meanwhile. */
    private fun removeSent(batch: List<JSONObject>) = synchronized(queue) {
        batch.forEach { event -> if (queue.firstOrNull() === event) queue.removeFirst() }
    }

    private fun startBackground() {
        if (background != null) return
        background = Executors.newSingleThreadScheduledExecutor { task ->
            Thread(task, "hwp-home-events").apply { isDaemon = true }
        }.also {
            it.scheduleWithFixedDelay(
                { flush() },
                config.eventFlushIntervalMs,
                config.eventFlushIntervalMs,
                TimeUnit.MILLISECONDS,
            )
        }
    }

    private companion object {
        const val EVENTS_PATH = "/v1/events"
    }
}
