package dev.chassis.resilience;

import java.util.Optional;

import dev.chassis.core.http.Body;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Header;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;

/** The client the tests call {@link ScriptedServer} with. */
@Client("items")
@Path("/items")
public interface ItemsClient {
    record Item(String id, String from) {
    }

    @Get("/{id}")
    Item get(@PathParam String id);

    @Post("/{id}")
    Item create(@PathParam String id, @Body Item item, @Header("Idempotency-Key") Optional<String> key);
}
