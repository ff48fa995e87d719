package dev.chassis.tests.ext;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.chassis.core.config.Setting;
import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.helidon.http.Method;

/**
 * A test extension, found by ServiceLoader through src/test/resources/META-INF/services: a route,
 * a filter, a health check, a setting and lifecycle hooks.
 */
public final class GreetingExtension implements ChassisExtension {
    static final Setting<String> TEXT = Setting.string("greeting.text", "hi");
    static final Setting<Integer> REPEAT = Setting.integer("greeting.repeat", 1).range(1, 5);
    static final Setting<Boolean> FAIL_ON_START = Setting.bool("greeting.fail-on-start", false);
    static final Setting<Boolean> FAIL_ON_BOUND = Setting.bool("greeting.fail-on-bound", false);
    static final Setting<Boolean> REGISTER_LATE = Setting.bool("greeting.register-late", false);
    /** What the hooks saw, in order: "bound:<name>", "started:<name>", "stopping:<name>", "stopped:<name>". */
    public static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    /** Instances the test extension's resolver answers, by target name; steered by tests (a stand-in for discovery). */
    public static final Map<String, List<URI>> INSTANCES = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "greeting";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(TEXT, REPEAT, FAIL_ON_START, FAIL_ON_BOUND, REGISTER_LATE);
    }

    @Override
    public void register(ExtensionContext context) {
        String text = context.config().get(TEXT).repeat(context.config().get(REPEAT));
        String name = context.service().name();
        context.http().route(Method.GET, "/ext/greeting", (req, res) -> res.send(text));
        context.http().filter((chain, req, res) -> {
            res.header("X-Greeting-Filter", "seen");
            chain.proceed();
        });
        context.health().add(HealthCheck.readiness("greeting", () -> Health.up().with("text", text)));
        context.calls().targetResolver(target -> Optional.ofNullable(INSTANCES.get(target)));
        boolean fail = context.config().get(FAIL_ON_START);
        boolean failOnBound = context.config().get(FAIL_ON_BOUND);
        if (context.config().get(REGISTER_LATE)) {
            context.lifecycle().onBound(() -> context.health().add(HealthCheck.readiness("late", Health::up)));
        }
        context.lifecycle().onBound(() -> {
            if (failOnBound) {
                throw new IllegalStateException("greeting refuses what was bound");
            }
            EVENTS.add("bound:" + name);
        });
        context.lifecycle().onStarted(running -> {
            if (fail) {
                throw new IllegalStateException("greeting refuses to start");
            }
            EVENTS.add("started:" + name + ":" + running.port());
        });
        context.lifecycle().onStopping(() -> EVENTS.add("stopping:" + name));
        context.lifecycle().onStopped(() -> EVENTS.add("stopped:" + name));
    }
}
