package ${package};

import dev.chassis.core.Chassis;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.messaging.Publisher;

/** Wires the service: its HTTP handler, its gRPC service and its message handler. Port 8080 (application.yaml). */
public final class Main {
    private Main() {
    }

    /** The service, as main builds it. */
    public static ServiceBuilder service() {
        return service(new GreetingEvents());
    }

    /** The service with a given message handler, which tests look into. */
    public static ServiceBuilder service(GreetingEvents events) {
        ServiceBuilder service = Chassis.service("${serviceName}").version("${version}");
        Publisher publisher = service.component(Publisher.class);
        return service.http(new GreetingApi(publisher)).grpc(new EchoService()).consume(events);
    }

    public static void main(String[] args) {
        service().start();
    }
}
