import com.homewidgets.sdui.SduiDecodeException
import com.homewidgets.sdui.SduiDecoder
import org.json.JSONObject
import java.io.PrintStream

/**
 * Test driver for the generated decoder (run by kotlin-decoder.spec.ts beside this folder). Reads lines of
 * `screen|widget <TAB> json` from stdin and prints one JSON result per line:
 * {"ok":true,"decoded":"<toString of the models>"}, {"ok":false,"path":..,"reason":..}, or {"crash":..}.
 */
fun main() {
    val out = PrintStream(System.out, true, "UTF-8")
    System.`in`.bufferedReader(Charsets.UTF_8).lineSequence().forEach { line ->
        val (kind, json) = line.split('\t', limit = 2)
        val result = JSONObject()
        try {
            val decoded: Any? = if (kind == "screen") SduiDecoder.decodeScreen(json) else SduiDecoder.decodeWidget(json)
            result.put("ok", true).put("decoded", decoded.toString())
        } catch (e: SduiDecodeException) {
            result.put("ok", false).put("path", e.path).put("reason", e.reason)
        } catch (e: Exception) {
            result.put("crash", e.toString())
        }
        out.println(result)
    }
}
