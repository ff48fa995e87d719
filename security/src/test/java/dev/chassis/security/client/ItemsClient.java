package dev.chassis.security.client;

import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;

/** A declarative client of {@link Target}. */
@Client("items")
interface ItemsClient {
    /** An item. */
    record Item(String id) {
    }

    @Get("/items/{id}")
    Item get(@PathParam("id") String id);

    @Post("/items/{id}")
    Item post(@PathParam("id") String id);
}
