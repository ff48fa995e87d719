package dev.chassis.tests.shutdown;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.QueryParam;

/** Handlers that take as long as asked, and say when a request has entered. */
@Path("/")
public final class SlowApi {
    private final Consumer<String> entered;

    public SlowApi(Consumer<String> entered) {
        this.entered = entered;
    }

    @Get("/slow")
    public String slow(@QueryParam long ms, @QueryParam String id) throws InterruptedException {
        entered.accept(id);
        Thread.sleep(ms);
        return "done " + id;
    }

    @Get("/fast")
    public String fast() {
        return "fast";
    }

    /** A latch-counting consumer, for in-process tests. */
    static Consumer<String> countDown(CountDownLatch latch) {
        return id -> latch.countDown();
    }
}
