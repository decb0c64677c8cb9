package com.homewidgets.sdui.client

import java.io.BufferedReader
import java.io.IOException
import java.net.HttpURLConnection
import java.util.concurrent.CountDownLatch
import java.util.concurrent.RejectedExecutionException
import java.util.concurrent.ThreadLocalRandom
import java.util.concurrent.TimeUnit

/**
 * One live stream: reads GET /v1/home/stream (Server-Sent Events) on its own thread and fetches the
 * screen after every (re)connect and every change event; reconnects after a drop with a doubling,
 * jittered delay (so that phones dropped by one core-api restart do not all come back at once).
 *
 * core-api sends no event ids and replays nothing, which is why the screen is fetched again on every
 * connect (a conditional GET: a 304 when nothing changed). Should a server send `id:` fields, the last
 * one goes back as `Last-Event-ID` on reconnect, as the SSE standard asks.
 */
internal class LiveStream(
    private val config: HomeClientConfig,
    private val http: CoreApiHttp,
    private val fetchScreen: () -> HomeResult,
    private val listener: LiveUpdateListener,
    private val onClosed: (LiveStream) -> Unit,
) : LiveUpdates {
    @Volatile private var closed = false
    @Volatile private var connection: HttpURLConnection? = null
    private val stopped = CountDownLatch(1)
    private var lastEventId: String? = null
    private var serverRetryMs: Long? = null

    fun start() {
        Thread(::run, "hwp-home-stream").apply { isDaemon = true }.start()
    }

    override fun close() {
        if (closed) return
        closed = true
        stopped.countDown()
        // Unblocks the stream's read. On a desktop JVM disconnect() waits for that read to return, so it
        // runs on a thread of its own: close() never blocks, and no update is delivered after it.
        connection?.let { open -> Thread(open::disconnect, "hwp-home-stream-close").apply { isDaemon = true }.start() }
        onClosed(this)
    }

    private fun run() {
        var failures = 0
        while (!closed) {
            val ended = follow()
            if (closed) break
            failures = if (ended.opened) 1 else failures + 1
            val delay = maxOf(reconnectDelay(failures), ended.retryAfterMs ?: 0)
            deliver(LiveUpdate.Disconnected(ended.error, delay))
            stopped.await(delay, TimeUnit.MILLISECONDS)
        }
    }

    private class Ended(val error: HomeError, val opened: Boolean, val retryAfterMs: Long? = null)

    /** Opens the stream and reads it until it ends; never throws. */
    private fun follow(): Ended {
        var opened = false
        val headers = buildMap {
            put("Accept", "text/event-stream")
            put("Cache-Control", "no-cache")
            lastEventId?.let { put("Last-Event-ID", it) }
        }
        val connection = try {
            http.open("GET", STREAM_PATH, headers, config.streamIdleTimeoutMs)
        } catch (e: IOException) {
            return Ended(HomeError.Network(e), opened)
        }
        this.connection = connection
        try {
            if (closed) return Ended(HomeError.StreamEnded, opened)
            val status = connection.responseCode
            if (status != 200) {
                val body = connection.errorStream?.use { it.readBytes().toString(Charsets.UTF_8) } ?: ""
                val answer = HttpAnswer(status, http.headersOf(connection), body)
                return Ended(answer.error(), opened, answer.retryAfterSeconds?.times(1_000))
            }
            opened = true
            deliver(LiveUpdate.Connected)
            deliver(LiveUpdate.Refreshed(fetchScreen()))
            connection.inputStream.bufferedReader(Charsets.UTF_8).use(::readEvents)
            return Ended(HomeError.StreamEnded, opened)
        } catch (e: IOException) {
            return Ended(HomeError.Network(e), opened)
        } finally {
            connection.disconnect()
            this.connection = null
        }
    }

    /** Reads events until the stream ends, fetching the screen for each change event. */
    private fun readEvents(reader: BufferedReader) {
        var event = ""
        var hasData = false
        while (!closed) {
            val line = reader.readLine() ?: return
            if (line.isEmpty()) {
                if (hasData && event in CHANGE_EVENTS) deliver(LiveUpdate.Refreshed(fetchScreen()))
                event = ""
                hasData = false
                continue
            }
            if (line.startsWith(":")) continue // a comment: core-api's heartbeat
            val colon = line.indexOf(':')
            val field = if (colon < 0) line else line.substring(0, colon)
            val value = if (colon < 0) "" else line.substring(colon + 1).removePrefix(" ")
            when (field) {
                "event" -> event = value
                "data" -> hasData = true
                "id" -> if ('\u0000' !in value) lastEventId = value
                "retry" -> value.toLongOrNull()?.let { serverRetryMs = it }
            }
        }
    }

    /** The delay after [failures] failed attempts: doubling from the first delay, drawn from the upper half. */
    private fun reconnectDelay(failures: Int): Long {
        val initial = serverRetryMs ?: config.reconnectInitialDelayMs
        val step = minOf(config.reconnectMaxDelayMs, initial shl minOf(failures - 1, 20))
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1)
    }

    private fun deliver(update: LiveUpdate) {
        if (closed) return
        try {
            config.callbackExecutor.execute {
                try {
                    if (!closed) listener.onUpdate(update)
                } catch (e: RuntimeException) {
                    // the app's listener failed; the stream goes on
                }
            }
        } catch (e: RejectedExecutionException) {
            // the app's executor is shutting down
        }
    }

    private companion object {
        const val STREAM_PATH = "/v1/home/stream"
        val CHANGE_EVENTS = setOf("widget-changed", "home-changed")
    }
}
