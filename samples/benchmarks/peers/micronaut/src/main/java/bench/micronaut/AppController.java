package bench.micronaut;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** {@code GET /hello} and {@code GET /items}, with Micronaut's defaults (JSON, run on the Netty event loop). */
@Controller
public final class AppController {
    /**
     * {@code GET /hello}.
     *
     * @return the greeting
     */
    @Get("/hello")
    public Greeting hello() {
        return Greeting.HELLO;
    }

    /**
     * {@code GET /items}: ten items built anew for every request, as a handler reading a store would.
     *
     * @return the items
     */
    @Get("/items")
    public List<Item> items() {
        List<Item> items = new ArrayList<>(10);
        for (int i = 0; i < 10; i++) {
            items.add(new Item("sku-" + i, "item number " + i, i * 3, BigDecimal.valueOf(1999 + i, 2)));
        }
        return items;
    }
}
