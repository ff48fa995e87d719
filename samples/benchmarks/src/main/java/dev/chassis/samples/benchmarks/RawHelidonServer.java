package dev.chassis.samples.benchmarks;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Json;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/**
 * {@code GET /hello} hand-written on Helidon SE 4 routing, with Helidon's defaults: the baseline
 * {@link ChassisServer} is compared with. It uses chassis-core only for {@link Json#mapper()}, the Jackson
 * mapper Chassis serialises with, and starts no Chassis service.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.RawHelidonServer PORT [CERT KEY]}; prints
 * {@code READY <port>} once it serves. With {@code CERT} and {@code KEY} (PEM files) it serves HTTPS with them,
 * configured the way Helidon's documentation shows ({@link Keys} from PEM, {@link Tls} with Helidon's defaults).
 */
public final class RawHelidonServer {
    private static final ObjectWriter WRITER = Json.mapper().writerFor(Greeting.class);

    private RawHelidonServer() {
    }

    /**
     * Starts the server and returns; the server threads keep the process alive.
     *
     * @param args the port to listen on (required), then optionally the PEM certificate chain and private key
     */
    public static void main(String[] args) {
        if (args.length != 1 && args.length != 3) {
            System.err.println("usage: RawHelidonServer PORT [CERT KEY]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        WebServerConfig.Builder builder = WebServer.builder()
                .port(port)
                .routing(r -> r.get("/hello", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(WRITER.writeValueAsBytes(Greeting.HELLO));
                }));
        if (args.length == 3) {
            Keys keys = Keys.builder().pem(pem -> pem.certChain(Resource.create(Path.of(args[1])))
                    .key(Resource.create(Path.of(args[2])))).build();
            builder.tls(tls -> tls.privateKey(keys.privateKey().orElseThrow())
                    .privateKeyCertChain(keys.certChain()));
        }
        WebServer server = builder.build().start();
        System.out.println("READY " + server.port());
        System.out.flush();
    }
}
