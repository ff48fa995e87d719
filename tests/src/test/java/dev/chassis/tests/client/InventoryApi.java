package dev.chassis.tests.client;

import java.util.List;
import java.util.Optional;

import dev.chassis.core.http.Body;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Delete;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Header;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Response;
import dev.chassis.core.http.Status;

/** One interface, implemented by the inventory service and used as its client. */
@Client("inventory")
@Path("/stock")
public interface InventoryApi {
    record Item(String sku, int quantity) {
    }

    record Reserve(String sku, int quantity) {
    }

    record Reservation(String id, String sku, int quantity, String key) {
    }

    @Get("/{sku}")
    Optional<Item> find(@PathParam String sku);

    @Get
    List<Item> search(@QueryParam("q") String query, @QueryParam List<String> tag);

    @Post("/reservations")
    @Status(201)
    Reservation reserve(@Body Reserve request, @Header("Idempotency-Key") Optional<String> key);

    @Get("/reservations/{id}")
    Response<Reservation> reservation(@PathParam String id);

    @Delete("/reservations/{id}")
    void cancel(@PathParam String id);
}
