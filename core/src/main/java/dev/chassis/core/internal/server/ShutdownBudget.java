package dev.chassis.core.internal.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.chassis.core.config.Config;

/**
 * The graceful shutdown must fit the grace period the platform gives it (Kubernetes' terminationGracePeriodSeconds,
 * then SIGKILL): the extensions' stopping parts, {@code server.shutdown.delay} and {@code server.shutdown.timeout},
 * which run one after the other, may add up to at most {@code server.shutdown.grace-period}. Not API.
 */
final class ShutdownBudget {
    /** One step of the shutdown and the longest it takes. */
    record Part(String name, Duration longest) {
    }

    private ShutdownBudget() {
    }

    /** The problem, with the arithmetic, when the parts cannot fit; empty when they do. */
    static Optional<String> problem(Config config, List<Part> stopping) {
        List<Part> parts = new ArrayList<>(stopping);
        parts.add(new Part(CoreSettings.SHUTDOWN_DELAY.key(), config.get(CoreSettings.SHUTDOWN_DELAY)));
        parts.add(new Part(CoreSettings.SHUTDOWN_TIMEOUT.key(), config.get(CoreSettings.SHUTDOWN_TIMEOUT)));
        Duration sum = parts.stream().map(Part::longest).reduce(Duration.ZERO, Duration::plus);
        Duration grace = config.get(CoreSettings.SHUTDOWN_GRACE_PERIOD);
        if (sum.compareTo(grace) <= 0) {
            return Optional.empty();
        }
        String key = CoreSettings.SHUTDOWN_GRACE_PERIOD.key();
        return Optional.of("the graceful shutdown cannot fit " + key + " = " + text(grace) + " ("
                + config.sourceOf(key).orElse("default") + "): " + String.join(" + ", parts.stream()
                        .map(p -> p.name() + " " + text(p.longest())).toList()) + " = " + text(sum) + ", "
                + text(sum.minus(grace)) + " too long. Fix: shorten one of them, or raise " + key
                + " together with the pod's terminationGracePeriodSeconds");
    }

    /** A duration as configuration writes it: 30s, 1500ms, 2m. */
    static String text(Duration d) {
        if (d.toMillis() % 60_000 == 0 && !d.isZero()) {
            return d.toMinutes() + "m";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
