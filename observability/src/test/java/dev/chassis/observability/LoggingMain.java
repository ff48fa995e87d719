package dev.chassis.observability;

import java.io.IOException;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import io.opentelemetry.api.trace.Span;

/** A service in a child JVM for {@link ChildJvmTest}: prints its port, serves until stdin closes. */
public final class LoggingMain {
    private static final System.Logger LOG = System.getLogger("dev.chassis.observability.demo");

    private LoggingMain() {
    }

    @Path("/log")
    public static final class Logging {
        @Get
        public String log() {
            LOG.log(System.Logger.Level.INFO, "hello from the handler, {0}", "with a parameter");
            return Span.current().getSpanContext().getTraceId();
        }
    }

    public static void main(String[] args) throws IOException {
        RunningService service = Chassis.service("logger").version("1.0.0").property("server.port", "0")
                .http(new Logging()).start();
        System.out.println("PORT " + service.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our stdin
        }
        service.stop();
    }
}
