package dev.chassis.tests.http;

import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.chassis.core.Problem;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Delete;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Head;
import dev.chassis.core.http.Header;
import dev.chassis.core.http.Patch;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Put;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Response;
import dev.chassis.core.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Handlers exercising every parameter kind and return kind. */
@Path("/sink")
public final class KitchenSinkApi {
    public enum Color { RED, GREEN }

    public record Item(String name, int quantity, Instant at, String note) {
    }

    public record Order(String id, List<Item> items) {
        public Order {
            if (items == null || items.isEmpty()) {
                throw new IllegalArgumentException("an order needs at least one item");
            }
        }
    }

    /** Thrown by a handler, mapped to 409 by the service. */
    public static final class OutOfStock extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfStock(String sku) {
            super("secret internal detail about " + sku);
        }
    }

    @Get("/types/{id}/{uuid}/{color}")
    public Map<String, Object> types(@PathParam long id, @PathParam UUID uuid, @PathParam Color color,
                                     @QueryParam Instant since, @QueryParam LocalDate day,
                                     @QueryParam Optional<Integer> limit, @QueryParam List<String> tag,
                                     @QueryParam(defaultValue = "true") boolean flag,
                                     @Header("X-Count") int count, @Header("X-Missing") Optional<String> missing) {
        return Map.of("id", id, "uuid", uuid, "color", color, "since", since, "day", day,
                "limit", limit.map(Object.class::cast).orElse("none"), "tag", tag, "flag", flag, "count", count,
                "missing", missing.orElse("none"));
    }

    @Get("/named/{theId}")
    public String named(@PathParam("theId") String id) {
        return id;
    }

    @Post("/orders")
    @Status(201)
    public Order create(@Body Order order) {
        return order;
    }

    @Put("/orders/{id}")
    public Response<Order> replace(@PathParam String id, @Body Order order) {
        return Response.created(URI.create("/sink/orders/" + id), order).header("X-Replaced", "yes")
                .header("X-Tag", "a").header("X-Tag", "b");
    }

    @Patch("/text")
    public String text(@Body String raw) {
        return raw;
    }

    @Post("/optional-body")
    public String optionalBody(@Body Optional<Item> item) {
        return item.map(Item::name).orElse("no body");
    }

    @Get("/items/{name}")
    public Optional<Item> find(@PathParam String name) {
        return name.equals("known") ? Optional.of(new Item("known", 1, Instant.parse("2024-05-01T12:00:00Z"), null))
                : Optional.empty();
    }

    @Get("/items/search")
    public String search() {
        return "search beats {name}";
    }

    @Delete("/items/{name}")
    public void delete(@PathParam String name) {
    }

    @Post("/accepted")
    @Status(202)
    public void accepted() {
    }

    @Get("/raw")
    public void raw(ServerRequest req, ServerResponse res) {
        res.header("X-Path", req.path().path());
        res.send("raw " + req.query().first("q").orElse("-"));
    }

    @Head("/head")
    public void head() {
    }

    @Get("/problem")
    public String problem() {
        throw Problem.builder(409).title("Order locked").detail("order 7 is being paid").extension("orderId", "7").build();
    }

    /** Its body cannot be written as JSON. */
    public static final class Unwritable {
        public String getValue() {
            throw new IllegalStateException("cannot read value");
        }
    }

    @Get("/unwritable")
    public Response<Unwritable> unwritable() {
        return Response.ok(new Unwritable()).header("Cache-Control", "max-age=3600");
    }

    @Get("/boom")
    public String boom() {
        throw new IllegalStateException("password=hunter2 in a stack trace");
    }

    @Get("/mapped")
    public String mapped() {
        throw new OutOfStock("sku-1");
    }
}
