package bench.quarkus;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * {@code GET /hello} and {@code GET /items}, with Quarkus REST's defaults: JSON through Jackson, and — the methods
 * return plain objects — run on a worker thread, not the Vert.x event loop.
 */
@Path("/")
public final class AppResource {
    /**
     * {@code GET /hello}.
     *
     * @return the greeting
     */
    @GET
    @Path("hello")
    public Greeting hello() {
        return Greeting.HELLO;
    }

    /**
     * {@code GET /items}: ten items built anew for every request, as a handler reading a store would.
     *
     * @return the items
     */
    @GET
    @Path("items")
    public List<Item> items() {
        List<Item> items = new ArrayList<>(10);
        for (int i = 0; i < 10; i++) {
            items.add(new Item("sku-" + i, "item number " + i, i * 3, BigDecimal.valueOf(1999 + i, 2)));
        }
        return items;
    }
}
