package com.homewidgets.sdui.client

import org.json.JSONObject
import java.io.IOException
import java.io.InputStream
import java.net.HttpURLConnection
import java.net.URL

/** One answer of core-api: the status, the headers (names in lower case) and the body as text. */
internal class HttpAnswer(val status: Int, private val headers: Map<String, String>, val body: String) {
    fun header(name: String): String? = headers[name.lowercase()]

    val retryAfterSeconds: Long? get() = header("retry-after")?.trim()?.toLongOrNull()

    /** The `detail` of a problem+json body, if it is one. */
    val problemDetail: String?
        get() = try {
            JSONObject(body).optString("detail").ifEmpty { null }
        } catch (e: Exception) {
            null
        }

    /** The error of an answer that is not a success. */
    fun error(): HomeError = when (status) {
        401 -> HomeError.Unauthorized(problemDetail)
        in 500..599 -> HomeError.ServerError(status, problemDetail, retryAfterSeconds)
        else -> HomeError.Refused(status, problemDetail, retryAfterSeconds)
    }
}

/** core-api over java.net.HttpURLConnection, which Android ships (and gunzips transparently there). */
internal class CoreApiHttp(private val config: HomeClientConfig) {
    private val base = config.baseUrl.trimEnd('/')

    /** Opens a request with the bearer token and the timeouts; the caller sends and reads it. */
    fun open(method: String, path: String, headers: Map<String, String>, readTimeoutMs: Int): HttpURLConnection {
        val connection = URL(base + path).openConnection() as HttpURLConnection
        connection.requestMethod = method
        connection.connectTimeout = config.connectTimeoutMs
        connection.readTimeout = readTimeoutMs
        connection.useCaches = false
        // A token provider that fails sends no token: core-api answers 401, a typed Unauthorized.
        val token = try {
            config.token()
        } catch (e: RuntimeException) {
            null
        }
        token?.let { connection.setRequestProperty("Authorization", "Bearer $it") }
        headers.forEach { (name, value) -> connection.setRequestProperty(name, value) }
        return connection
    }

    /** Sends one request and reads the whole answer. */
    @Throws(IOException::class)
    fun exchange(method: String, path: String, headers: Map<String, String>, body: String? = null): HttpAnswer {
        val connection = open(method, path, headers, config.readTimeoutMs)
        try {
            if (body != null) {
                val bytes = body.toByteArray(Charsets.UTF_8)
                connection.doOutput = true
                connection.setRequestProperty("Content-Type", "application/json; charset=utf-8")
                connection.setFixedLengthStreamingMode(bytes.size)
                connection.outputStream.use { it.write(bytes) }
            }
            val status = connection.responseCode
            val stream: InputStream? = if (status >= 400) connection.errorStream else connection.inputStream
            val text = stream?.use { it.readBytes().toString(Charsets.UTF_8) } ?: ""
            return HttpAnswer(status, headersOf(connection), text)
        } catch (e: IOException) {
            // Only a failed exchange closes its socket; a read one goes back to the keep-alive pool.
            connection.disconnect()
            throw e
        }
    }

    fun headersOf(connection: HttpURLConnection): Map<String, String> =
        connection.headerFields.entries
            .filter { it.key != null }
            .associate { (name, values) -> name.lowercase() to values.joinToString(",") }
}
