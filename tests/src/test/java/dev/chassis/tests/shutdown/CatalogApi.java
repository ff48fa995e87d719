package dev.chassis.tests.shutdown;

import dev.chassis.core.http.Body;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Status;

/** The second service a draining request calls: served by the test, called by the child process. */
@Client("catalog")
@Path("/items")
public interface CatalogApi {
    /** An item to add. */
    record Item(String id) {
    }

    @Post
    @Status(201)
    Item add(@Body Item item);
}
