package com.homewidgets.sdui.client

import com.homewidgets.sdui.Screen
import java.io.IOException

/** What [HomeClient.fetchScreen] answers. It never throws: every failure is a [Failed] with the last good screen. */
sealed class HomeResult {
    /**
     * The screen to show. [notModified] when core-api answered 304 and this is the copy the client kept;
     * [stale] when core-api said part of it is its last known good copy (one of its caches failed).
     */
    data class Loaded(
        val screen: Screen,
        val etag: String?,
        val notModified: Boolean,
        val stale: Boolean,
    ) : HomeResult()

    /** The screen could not be loaded; keep showing [lastGood] (null before the first success). */
    data class Failed(val error: HomeError, val lastGood: Screen?) : HomeResult()
}

/** Why a call to core-api did not succeed. */
sealed class HomeError {
    /** No answer: no network, a timeout, a connection reset. Try again later. */
    data class Network(val cause: IOException) : HomeError()

    /** 401: the bearer token is missing, expired or not accepted. Get a new token. */
    data class Unauthorized(val detail: String?) : HomeError()

    /** Another 4xx, e.g. 406 (a schema major the server does not serve) or 429 (try after [retryAfterSeconds]). */
    data class Refused(val status: Int, val detail: String?, val retryAfterSeconds: Long?) : HomeError()

    /** A 5xx: core-api or a proxy in front of it failed. Try again after [retryAfterSeconds] if given. */
    data class ServerError(val status: Int, val detail: String?, val retryAfterSeconds: Long?) : HomeError()

    /**
     * The body is not JSON, or not a screen of this schema ([path] is a JSON pointer, empty for the whole
     * body). The client keeps its last good copy: never render a partial screen.
     */
    data class MalformedScreen(val path: String, val reason: String) : HomeError()

    /** The live stream ended (core-api restarted or a proxy closed it); the client reconnects by itself. */
    data object StreamEnded : HomeError()
}

/** What the live stream reports to a [LiveUpdateListener], on [HomeClientConfig.callbackExecutor]. */
sealed class LiveUpdate {
    /** The stream is open. A [Refreshed] follows at once: changes made while it was closed are not replayed. */
    data object Connected : LiveUpdate()

    /** The screen after a (re)connect or a change core-api announced; a [HomeResult.Failed] keeps the old one. */
    data class Refreshed(val result: HomeResult) : LiveUpdate()

    /** The stream could not be opened or was dropped; the client tries again in [retryInMs]. */
    data class Disconnected(val error: HomeError, val retryInMs: Long) : LiveUpdate()
}

/** Receives [LiveUpdate]s. An exception it throws is caught, so it never stops the stream. */
fun interface LiveUpdateListener {
    fun onUpdate(update: LiveUpdate)
}

/** A running live stream; [close] stops it (and its reconnection attempts). */
fun interface LiveUpdates : AutoCloseable {
    override fun close()
}

/** What [HomeClient.flushEvents] answers. */
sealed class EventDelivery {
    /** core-api accepted [count] events (202). */
    data class Sent(val count: Int) : EventDelivery()

    /** Nothing was queued. */
    data object NothingQueued : EventDelivery()

    /**
     * A batch failed. [kept] events stay queued for the next flush (network, 401, 429, 5xx); [dropped]
     * were refused as invalid (400) and are not sent again. [sent] counts batches accepted before it.
     */
    data class Failed(val error: HomeError, val sent: Int, val kept: Int, val dropped: Int) : EventDelivery()
}

/** The kinds of widget events core-api counts in the studio's analytics. */
enum class WidgetEventType(val wire: String) {
    IMPRESSION("impression"),
    CLICK("click"),
    TRACK("track"),
}

/** The last screen body and its ETag, for an app that keeps them across restarts (see [HomeClient.cachedCopy]). */
data class CachedCopy(val body: String, val etag: String?)
