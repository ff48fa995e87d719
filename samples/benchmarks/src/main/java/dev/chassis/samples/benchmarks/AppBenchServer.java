package dev.chassis.samples.benchmarks;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Chassis;
import dev.chassis.core.Json;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * The app a user writes, as bench-app.sh measures it (issue 22): {@code GET /hello}, a 27-byte record, and
 * {@code GET /items}, ten records built and serialised per request, served two ways: {@code chassis} — an annotated
 * handler class in a Chassis service with whatever is on the class path at its defaults (bench-app.sh runs it on the
 * service starter's class path) — or {@code raw} — the same routes hand-written on Helidon SE 4 routing with
 * Helidon's defaults and the same Jackson mapper.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.AppBenchServer chassis|raw PORT}; prints
 * {@code READY <port>} once it serves.
 */
public final class AppBenchServer {
    private static final ObjectWriter GREETING = Json.mapper().writerFor(Greeting.class);
    private static final ObjectWriter ITEMS = Json.mapper().writerFor(Json.mapper().getTypeFactory()
            .constructCollectionType(List.class, Item.class));

    private AppBenchServer() {
    }

    /**
     * One item of {@code GET /items}.
     *
     * @param sku      its stock-keeping unit
     * @param name     its name
     * @param quantity how many are in stock
     * @param price    its unit price
     */
    public record Item(String sku, String name, int quantity, BigDecimal price) {
    }

    /** The ten items of {@code GET /items}, built anew for every request as a handler reading a store would. */
    static List<Item> items() {
        List<Item> items = new ArrayList<>(10);
        for (int i = 0; i < 10; i++) {
            items.add(new Item("sku-" + i, "item number " + i, i * 3, BigDecimal.valueOf(1999 + i, 2)));
        }
        return items;
    }

    /** The annotated handlers of the Chassis app. */
    @Path("/")
    public static final class AppEndpoints {
        /** {@code GET /hello}. */
        @Get("/hello")
        public Greeting hello() {
            return Greeting.HELLO;
        }

        /** {@code GET /items}. */
        @Get("/items")
        public List<Item> items() {
            return AppBenchServer.items();
        }
    }

    /**
     * Starts the server and returns; the server threads keep the process alive.
     *
     * @param args {@code chassis} or {@code raw}, and the port
     */
    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals("chassis") && !args[0].equals("raw")) {
            System.err.println("usage: AppBenchServer chassis|raw PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int bound;
        if (args[0].equals("chassis")) {
            RunningService service = Chassis.service("bench-app").version("1.0.0").http(new AppEndpoints())
                    .property("server.port", Integer.toString(port)).start();
            bound = service.port();
        } else {
            WebServer server = WebServer.builder().port(port)
                    .routing(r -> r.get("/hello", (req, res) -> {
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(GREETING.writeValueAsBytes(Greeting.HELLO));
                    }).get("/items", (req, res) -> {
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(ITEMS.writeValueAsBytes(items()));
                    })).build().start();
            bound = server.port();
        }
        System.out.println("READY " + bound);
        System.out.flush();
    }
}
