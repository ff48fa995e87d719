package example.outside;

import java.time.Duration;

import dev.chassis.core.internal.shared.Backoff;

/** A user's class that reaches into Chassis' shared internals: the architecture rule must report it. */
public final class UsesSharedInternals {
    public Duration wait(int attempt) {
        return Backoff.exponential(Duration.ofMillis(1), Duration.ofSeconds(1)).delay(attempt);
    }
}
