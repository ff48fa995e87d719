package dev.chassis.tests.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chassis.core.Problem;
import dev.chassis.core.http.Response;

/** The server side of {@link InventoryApi}: the annotations come from the interface. */
public final class InventoryService implements InventoryApi {
    private final Map<String, Integer> stock = new ConcurrentHashMap<>(Map.of("pen", 10, "a b&c?d", 1));
    private final Map<String, Reservation> reservations = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public Optional<Item> find(String sku) {
        return Optional.ofNullable(stock.get(sku)).map(q -> new Item(sku, q));
    }

    @Override
    public List<Item> search(String query, List<String> tag) {
        return List.of(new Item(query + ":" + String.join("+", tag), tag.size()));
    }

    @Override
    public Reservation reserve(Reserve request, Optional<String> key) {
        int left = stock.getOrDefault(request.sku(), 0);
        if (left < request.quantity()) {
            throw Problem.builder(409).title("Not enough stock").detail(left + " " + request.sku() + " left")
                    .extension("available", left).build();
        }
        stock.put(request.sku(), left - request.quantity());
        Reservation r = new Reservation("r" + ids.incrementAndGet(), request.sku(), request.quantity(), key.orElse(null));
        reservations.put(r.id(), r);
        return r;
    }

    @Override
    public Response<Reservation> reservation(String id) {
        Reservation r = reservations.get(id);
        if (r == null) {
            throw Problem.notFound("no reservation " + id);
        }
        return Response.ok(r).header("X-Reservation", id);
    }

    @Override
    public void cancel(String id) {
        if (reservations.remove(id) == null) {
            throw Problem.notFound("no reservation " + id);
        }
    }
}
