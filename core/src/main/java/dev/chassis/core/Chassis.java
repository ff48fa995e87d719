package dev.chassis.core;

/**
 * Where a service starts: {@code Chassis.service("orders").http(new OrderApi()).start()}.
 */
public final class Chassis {
    private Chassis() {
    }

    /**
     * A builder for a service with this name.
     *
     * @param name a DNS label: lower-case letters, digits and dashes, 1–63 characters, not starting or
     *             ending with a dash
     * @throws IllegalArgumentException when the name is not a DNS label
     */
    public static ServiceBuilder service(String name) {
        return new ServiceBuilder(name);
    }
}
