package dev.chassis.tests.validation;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;

/**
 * The {@link ValidatedApi} service in its own process, started by {@link BeanValidationTest} with the validator's
 * jars left off the class path: prints {@code PORT <n>} when ready.
 */
public final class UnvalidatedServiceMain {
    private UnvalidatedServiceMain() {
    }

    public static void main(String[] args) {
        RunningService s = Chassis.service("unvalidated").http(new ValidatedApi()).property("server.port", "0").start();
        System.out.println("PORT " + s.port());
        System.out.flush();
    }
}
