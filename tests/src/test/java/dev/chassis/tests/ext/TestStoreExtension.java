package dev.chassis.tests.ext;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.core.spi.IdempotencyStore;

/**
 * A test extension that registers an Idempotency-Key store only when {@code test-store.mode} is set: {@code memory}
 * (keeps answers in a map), {@code down} (every claim fails) or {@code busy} (every key is in progress). It tests
 * core's side of the protocol without a database; chassis-messaging-jdbc tests the real store.
 */
public final class TestStoreExtension implements ChassisExtension {
    static final Setting<String> MODE = Setting.string("test-store.mode", null);
    /** Every call the last store received: "claim:key", "complete:key:status", "release:key". */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "test-store";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(MODE);
    }

    @Override
    public void register(ExtensionContext context) {
        String mode = context.config().find(MODE).orElse(null);
        if (mode == null) {
            return;
        }
        CALLS.clear();
        Map<String, IdempotencyStore.Answer> answers = new ConcurrentHashMap<>();
        context.components().provide(IdempotencyStore.class, new IdempotencyStore() {
            @Override
            public Claim claim(String key, String fingerprint) {
                CALLS.add("claim:" + key);
                return switch (mode) {
                    case "down" -> throw new IllegalStateException("the store is down");
                    case "busy" -> new InProgress();
                    default -> answers.containsKey(key) ? new Replay(answers.get(key)) : new Claimed("t");
                };
            }

            @Override
            public void complete(String key, String token, Answer answer) {
                CALLS.add("complete:" + key + ":" + answer.status());
                answers.put(key, answer);
            }

            @Override
            public void release(String key, String token) {
                CALLS.add("release:" + key);
            }

            @Override
            public void renew(String key, String token) {
            }

            @Override
            public Duration lease() {
                return Duration.ofMinutes(1);
            }

            @Override
            public Duration waitForInProgress() {
                return Duration.ofMillis(100);
            }
        });
    }
}
