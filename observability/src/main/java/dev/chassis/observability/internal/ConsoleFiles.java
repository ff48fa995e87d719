package dev.chassis.observability.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import dev.chassis.core.spi.ExtensionContext;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;

/**
 * The console's page: {@code GET /console} (HTML), {@code /console/console.js} and {@code /console/console.css},
 * read from this jar's resources once, at start-up. Not API.
 */
final class ConsoleFiles {
    private static final String ROOT = "/dev/chassis/observability/console/";
    private static final HeaderName CONTENT_SECURITY_POLICY = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName X_FRAME_OPTIONS = HeaderNames.create("X-Frame-Options");
    private static final HeaderName REFERRER_POLICY = HeaderNames.create("Referrer-Policy");

    private ConsoleFiles() {
    }

    static void register(ExtensionContext.Http management) {
        byte[] html = read("index.html");
        byte[] js = read("console.js");
        byte[] css = read("console.css");
        management.route(Method.GET, "/console", (req, res) -> send(res, "text/html; charset=utf-8", html));
        management.route(Method.GET, "/console/console.js", (req, res) -> send(res, "text/javascript; charset=utf-8", js));
        management.route(Method.GET, "/console/console.css", (req, res) -> send(res, "text/css; charset=utf-8", css));
    }

    private static void send(ServerResponse res, String type, byte[] body) {
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        // the page loads only its own script and style, and no other site may frame it (clickjacking)
        res.header(CONTENT_SECURITY_POLICY, "default-src 'self'; img-src 'self' data:; object-src 'none';"
                + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(X_FRAME_OPTIONS, "DENY");
        res.header(REFERRER_POLICY, "no-referrer");
        res.send(body);
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleFiles.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from chassis-observability");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
