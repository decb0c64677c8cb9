import com.homewidgets.sdui.SduiDecodeException
import com.homewidgets.sdui.SduiDecoder
import com.homewidgets.sdui.SduiOutline
import org.json.JSONObject
import java.io.PrintStream

/**
 * Test driver for the reference outline renderer (run by kotlin-outline.spec.ts beside this folder). Reads one
 * screen as JSON per line from stdin, decodes it and prints its outline as a JSON string per line, or
 * {"error":..}.
 */
fun main() {
    val out = PrintStream(System.out, true, "UTF-8")
    System.`in`.bufferedReader(Charsets.UTF_8).lineSequence().forEach { json ->
        try {
            out.println(JSONObject.quote(SduiOutline.screen(SduiDecoder.decodeScreen(json))))
        } catch (e: SduiDecodeException) {
            out.println(JSONObject().put("error", e.message))
        }
    }
}
