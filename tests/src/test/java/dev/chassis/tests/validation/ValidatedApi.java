package dev.chassis.tests.validation;

import java.util.List;
import java.util.Objects;

import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Header;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Handlers whose parameters and bodies carry Bean Validation constraints, and one that carries none. */
@Path("/v")
public final class ValidatedApi {
    /** One line of an order. */
    public record Line(@NotBlank String sku, @Min(1) int quantity) {
    }

    /** An order: a customer and at least one valid line. */
    public record NewOrder(@NotBlank @Size(min = 3) String customer, @Size(min = 1) List<@Valid Line> items) {
    }

    /** A record that checks itself in its constructor, naming the component. */
    public record Book(String title) {
        public Book {
            Objects.requireNonNull(title, "title");
        }
    }

    @Post("/orders")
    public NewOrder create(@Body NewOrder order) {
        return order;
    }

    @Post("/orders/batch")
    public int batch(@Body List<NewOrder> orders) {
        return orders.size();
    }

    @Post("/books")
    public Book book(@Body Book book) {
        return book;
    }

    @Get("/items/{id}")
    public long item(@PathParam @Min(1) long id) {
        return id;
    }

    @Get("/search")
    public String search(@QueryParam @Size(min = 3) String q, @QueryParam(defaultValue = "10") @Min(1) int limit) {
        return q + " " + limit;
    }

    @Get("/greet")
    public String greet(@Header("X-Name") @Pattern(regexp = "[a-z]+", message = "must be lower-case letters") String name) {
        return "hello " + name;
    }

    @Get("/plain/{id}")
    public long plain(@PathParam long id) {
        return id;
    }
}
