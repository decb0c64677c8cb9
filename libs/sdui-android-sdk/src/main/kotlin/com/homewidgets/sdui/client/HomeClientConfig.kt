package com.homewidgets.sdui.client

import com.homewidgets.sdui.SduiSchema
import java.util.concurrent.Executor

/**
 * How a [HomeClient] reaches core-api. Only [baseUrl] and [token] are needed; the defaults fit a phone.
 */
data class HomeClientConfig(
    /** core-api's base URL, e.g. `https://home.example.com`. */
    val baseUrl: String,
    /** The user's bearer token, asked for before every request, so a refreshed token is used at once; null (or a throw) sends none. */
    val token: () -> String?,
    /** Sent as `x-sdui-version`: the schema version the app was built with. */
    val schemaVersion: String = SduiSchema.VERSION,
    /** Sent as `x-sdui-components`: the node types the app renders; core-api replaces others by their fallback. */
    val components: Set<String> = SduiSchema.NODE_TYPES,
    val connectTimeoutMs: Int = 10_000,
    val readTimeoutMs: Int = 15_000,
    /** A live stream silent this long counts as dropped; core-api sends a heartbeat about every 15 s. */
    val streamIdleTimeoutMs: Int = 45_000,
    /** The first reconnection delay, unless core-api's `retry:` field names another. */
    val reconnectInitialDelayMs: Long = 1_000,
    /** Reconnection delays double up to this. */
    val reconnectMaxDelayMs: Long = 30_000,
    /** Queued events are sent once this many are waiting (core-api takes at most 100 per call). */
    val eventBatchSize: Int = 50,
    /** ... and at least this often while any are waiting. */
    val eventFlushIntervalMs: Long = 10_000,
    /** Beyond this many unsent events (a long time offline), the oldest are dropped. */
    val maxQueuedEvents: Int = 1_000,
    /** Where [LiveUpdateListener]s are called; on Android, e.g. `ContextCompat.getMainExecutor(context)`. */
    val callbackExecutor: Executor = Executor { it.run() },
) {
    init {
        require(eventBatchSize in 1..MAX_EVENTS_PER_BATCH) { "eventBatchSize must be 1..$MAX_EVENTS_PER_BATCH" }
        require(reconnectInitialDelayMs > 0 && reconnectMaxDelayMs >= reconnectInitialDelayMs) {
            "reconnect delays must be positive, the maximum at least the initial one"
        }
    }

    internal companion object {
        /** core-api's limit per POST /v1/events. */
        const val MAX_EVENTS_PER_BATCH = 100
    }
}
