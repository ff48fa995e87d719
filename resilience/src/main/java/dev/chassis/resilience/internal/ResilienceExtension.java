package dev.chassis.resilience.internal;

import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;

/**
 * Plugs the policies into every service that has {@code chassis-resilience} on its class path. Turned off
 * with {@code chassis.extensions.resilience.enabled: false}. Not API.
 */
public final class ResilienceExtension implements ChassisExtension {
    @Override
    public String name() {
        return "resilience";
    }

    @Override
    public List<Setting<?>> settings() {
        return PolicySettings.all();
    }

    @Override
    public void register(ExtensionContext context) {
        PolicyDecorator decorator = new PolicyDecorator(context.config(), context.clock(),
                new PolicyMetrics(context.openTelemetry().getMeter("dev.chassis.resilience")));
        context.calls().decorator(decorator);
        // Once every method is bound, before the port opens: policy keys must name a handler or client target.
        context.lifecycle().onBound(() -> checkNames(context.config(), decorator));
    }

    private static void checkNames(Config config, PolicyDecorator decorator) {
        List<String> problems = new ArrayList<>();
        for (String cls : config.names("handlers")) {
            for (String method : config.names("handlers." + cls)) {
                if (!decorator.handlerKeys().contains(cls + "." + method)) {
                    problems.add("handlers." + cls + "." + method + " names no handler of this service."
                            + ConfigException.closest(cls + "." + method, decorator.handlerKeys())
                                    .map(k -> " Did you mean handlers." + k + "?").orElse("")
                            + " Handlers: " + String.join(", ", decorator.handlerKeys().stream().sorted().toList()));
                }
            }
        }
        for (String target : config.names("clients")) {
            boolean policyKeys = PolicySettings.POLICIES.stream()
                    .anyMatch(policy -> !config.names("clients." + target + "." + policy).isEmpty()
                            || config.raw("clients." + target + "." + policy).isPresent());
            if (policyKeys && !decorator.clientTargets().contains(target)) {
                problems.add("clients." + target + " sets policies but no client of this service calls '" + target
                        + "'." + ConfigException.closest(target, decorator.clientTargets())
                                .map(k -> " Did you mean clients." + k + "?").orElse("")
                        + " Targets: " + String.join(", ", decorator.clientTargets().stream().sorted().toList()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
