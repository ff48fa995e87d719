package dev.chassis.discovery;

import dev.chassis.core.Chassis;
import dev.chassis.core.ServiceBuilder;

/** A child JVM: an inventory instance on a given port; further arguments are key=value properties. */
public final class InstanceMain {
    private InstanceMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceBuilder b = Chassis.service("inventory").property("server.port", args[0])
                .property("service.instance-id", args[1]).property("server.shutdown.delay", "0s");
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            b.property(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        b.http(new Who.WhoApi(args[1])).start();
        System.out.println("STARTED");
        System.out.flush();
        Thread.currentThread().join();
    }
}
