package dev.chassis.resilience.internal;

import java.util.List;

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
        context.decorator(new PolicyDecorator(context.config(), context.clock()));
    }
}
