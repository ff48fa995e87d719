package dev.chassis.samples.hello;

import dev.chassis.core.Chassis;
import dev.chassis.core.ServiceBuilder;

/** Starts the hello service on port 8080 ({@code server.port} to change it). */
public final class HelloService {
    private HelloService() {
    }

    /** The service, as tests and {@code main} build it. */
    public static ServiceBuilder service() {
        return Chassis.service("hello").version("1.0.0").http(new HelloApi());
    }

    public static void main(String[] args) {
        service().start();
    }
}
