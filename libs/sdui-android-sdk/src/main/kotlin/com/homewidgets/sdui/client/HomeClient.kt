package com.homewidgets.sdui.client

import com.homewidgets.sdui.SduiDecodeException
import com.homewidgets.sdui.SduiDecoder
import com.homewidgets.sdui.Screen
import com.homewidgets.sdui.TrackAction
import com.homewidgets.sdui.Widget
import org.json.JSONObject
import java.io.IOException

/**
 * The home screen from core-api, for one user: [fetchScreen] (conditional, with the app's capability
 * headers), [startLiveUpdates] (the screen again whenever core-api announces a change) and
 * [reportImpression] / [reportClick] / [reportTrack] (batched to POST /v1/events).
 *
 * Network calls block: call [fetchScreen] and [flushEvents] off the main thread. Nothing here throws
 * into the app; failures are typed results. Safe to use from several threads.
 */
class HomeClient(private val config: HomeClientConfig, restored: CachedCopy? = null) : AutoCloseable {
    private val http = CoreApiHttp(config)
    private val events = EventQueue(config, http)
    /** One fetch at a time; the kept copy is read without it, so the main thread never waits for the network. */
    private val fetching = Any()
    private val liveStreams = mutableSetOf<LiveStream>()

    /** The last screen that decoded, with the body and ETag it came in. */
    @Volatile private var copy: KeptScreen? = restored?.let { kept(it.body, it.etag) }

    /** The body and ETag of the last good screen, to keep across app restarts and pass back to the constructor. */
    val cachedCopy: CachedCopy? get() = copy?.let { CachedCopy(it.body, it.etag) }

    /** The last good screen, without asking core-api. */
    val lastScreen: Screen? get() = copy?.screen

    /**
     * GET /v1/home with `If-None-Match` when a copy is kept: a 304 answers the kept screen. A body that is
     * not a screen of this schema leaves the kept copy as it was and answers [HomeError.MalformedScreen].
     */
    fun fetchScreen(): HomeResult = synchronized(fetching) {
        val kept = copy
        val headers = buildMap {
            put("Accept", "application/json")
            put("x-sdui-version", config.schemaVersion)
            put("x-sdui-components", config.components.sorted().joinToString(","))
            kept?.etag?.let { put("If-None-Match", it) }
        }
        val answer = try {
            http.exchange("GET", HOME_PATH, headers)
        } catch (e: IOException) {
            return HomeResult.Failed(HomeError.Network(e), kept?.screen)
        }
        val stale = answer.header(STALE_HEADER) == "true"
        when {
            answer.status == 304 && kept != null -> HomeResult.Loaded(kept.screen, kept.etag, notModified = true, stale)
            answer.status == 200 -> try {
                val fresh = KeptScreen(answer.body, answer.header("etag"), decode(answer.body))
                copy = fresh
                HomeResult.Loaded(fresh.screen, fresh.etag, notModified = false, stale)
            } catch (e: SduiDecodeException) {
                HomeResult.Failed(HomeError.MalformedScreen(e.path, e.reason), kept?.screen)
            }
            else -> HomeResult.Failed(answer.error(), kept?.screen)
        }
    }

    /**
     * Follows GET /v1/home/stream on a background thread until closed: [listener] hears [LiveUpdate.Connected]
     * and the screen after every (re)connect, the screen after every change, and [LiveUpdate.Disconnected]
     * before each reconnection (jittered backoff).
     */
    fun startLiveUpdates(listener: LiveUpdateListener): LiveUpdates {
        val stream = LiveStream(config, http, ::fetchScreen, listener) { stream ->
            synchronized(liveStreams) { liveStreams.remove(stream) }
        }
        synchronized(liveStreams) { liveStreams.add(stream) }
        stream.start()
        return stream
    }

    /**
     * Queues an impression of [widget], a root of the screen (only roots carry the provenance core-api
     * counts by). False when the widget has no provenance, so nothing was queued.
     */
    fun reportImpression(widget: Widget): Boolean = events.add(WidgetEventType.IMPRESSION, widget)

    /** Queues a click on [widget] (the root containing the tapped node); see [reportImpression]. */
    fun reportClick(widget: Widget): Boolean = events.add(WidgetEventType.CLICK, widget)

    /**
     * Queues the event of a `track` [action] the user tapped inside [widget] (the root containing the tapped
     * node), with its name and properties; report the tap with [reportClick] too. See [reportImpression].
     */
    fun reportTrack(widget: Widget, action: TrackAction): Boolean =
        events.add(WidgetEventType.TRACK, widget) { event ->
            event.put("event", action.event)
            action.properties?.let { event.put("properties", JSONObject(it)) }
        }

    /** Sends every queued event now, in batches; blocks. Also done by itself in the background. */
    fun flushEvents(): EventDelivery = events.flush()

    /** Stops the live streams and sends the queued events once more in the background. */
    override fun close() {
        synchronized(liveStreams) { liveStreams.toList() }.forEach { it.close() }
        events.close()
    }

    private class KeptScreen(val body: String, val etag: String?, val screen: Screen)

    private fun kept(body: String, etag: String?): KeptScreen? =
        try {
            KeptScreen(body, etag, decode(body))
        } catch (e: SduiDecodeException) {
            null
        }

    private companion object {
        const val HOME_PATH = "/v1/home"
        const val STALE_HEADER = "x-hwp-stale"

        /** The generated decoder, with a nesting too deep for org.json's recursive parser made a decode error. */
        fun decode(body: String): Screen =
            try {
                SduiDecoder.decodeScreen(body)
            } catch (e: StackOverflowError) {
                throw SduiDecodeException("", "nested too deeply")
            }
    }
}
