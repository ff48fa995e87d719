package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.Peer;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/**
 * Chassis clients over mutual TLS: HTTP clients and gRPC channels present their bundle, verify the server by host
 * name or expected identity, and a failed handshake reaches the caller as an UnreachableException with the reason.
 */
class ClientTlsTest {
    private static final Pki PKI = new Pki();
    private static final Logger FAILURES = Logger.getLogger("dev.chassis.core.internal.tls.HandshakeFailures");
    private static final RunningService INVENTORY = PKI.serving(Chassis.service("inventory").http(new WhoAmI())
            .grpc(new GrpcWhoAmI()), PKI.server("inventory"))
            .property("server.tls.client-auth", "required")
            .property("server.tls.handshake-timeout", "1s")
            // discovery would advertise the instance as http://: the callers use clients.inventory.url
            .property("discovery.register", "false")
            .start();

    /** Answers with the caller's identity, over HTTP. */
    @dev.chassis.core.http.Path("/whoami") // CHECKSTYLE:FQN-OK
    public static final class WhoAmI {
        @Get
        public String whoami(Peer caller) {
            return caller.identity().orElse("anonymous");
        }
    }

    /** Answers with the caller's identity, over gRPC. */
    static final class GrpcWhoAmI extends EchoGrpc.EchoImplBase {
        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> observer) {
            observer.onNext(EchoReply.newBuilder().setText(Peer.current().identity().orElse("anonymous")).build());
            observer.onCompleted();
        }
    }

    /** The declarative client of inventory. */
    @Client("inventory")
    @dev.chassis.core.http.Path("/whoami") // CHECKSTYLE:FQN-OK
    public interface Inventory {
        @Get
        String whoami();
    }

    @AfterAll
    static void stop() {
        INVENTORY.stop();
    }

    /** A caller of inventory with its own certificate (issued by {@code ca}) and these extra settings. */
    private static ServiceBuilder caller(String name, TestCertificates ca, String... settings) {
        Path[] files = PKI.write(name, ca.issue(name).dns(name + ".svc").spiffe("spiffe://test/" + name).create());
        ServiceBuilder b = Chassis.service(name).property("server.port", "0")
                .property("clients.inventory.url", "https://localhost:" + INVENTORY.port())
                .property("clients.inventory.tls.bundle", "own")
                .property("tls.bundles.own.certificate", files[0].toString())
                .property("tls.bundles.own.private-key", files[1].toString())
                .property("tls.bundles.own.trust", PKI.caFile.toString());
        for (int i = 0; i < settings.length; i += 2) {
            b.property(settings[i], settings[i + 1]);
        }
        return b;
    }

    private static String grpcWhoAmI(Channel channel) {
        return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("who").build()).getText();
    }

    @Test
    void httpAndGrpcClientsPresentTheBundleAndTheServerSeesTheirIdentity() {
        ServiceBuilder b = caller("orders", PKI.ca);
        Inventory http = b.client(Inventory.class);
        Channel grpc = b.grpcChannel("inventory");
        RunningService orders = b.start();
        try {
            assertThat(http.whoami()).isEqualTo("spiffe://test/orders");
            assertThat(grpcWhoAmI(grpc)).isEqualTo("spiffe://test/orders");
        } finally {
            orders.stop();
        }
    }

    @Test
    void theExpectedIdentityReplacesTheHostName() {
        ServiceBuilder b = caller("billing", PKI.ca, "clients.inventory.tls.expected-identity", "spiffe://test/inventory");
        Inventory http = b.client(Inventory.class);
        Channel grpc = b.grpcChannel("inventory");
        RunningService billing = b.start();
        try {
            assertThat(http.whoami()).isEqualTo("spiffe://test/billing");
            assertThat(grpcWhoAmI(grpc)).isEqualTo("spiffe://test/billing");
        } finally {
            billing.stop();
        }
    }

    @Test
    void aServerWithoutTheExpectedIdentityIsRefusedByTheClient() {
        ServiceBuilder b = caller("shipping", PKI.ca, "clients.inventory.tls.expected-identity", "spiffe://test/payments");
        Inventory http = b.client(Inventory.class);
        Channel grpc = b.grpcChannel("inventory");
        RunningService shipping = b.start();
        try {
            assertThatThrownBy(http::whoami).isInstanceOf(UnreachableException.class)
                    .hasMessageContaining("TLS handshake failed")
                    .hasMessageContaining("not the expected spiffe://test/payments");
            assertThatThrownBy(() -> grpcWhoAmI(grpc)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCause()).isInstanceOf(UnreachableException.class)
                            .hasMessageContaining("TLS handshake failed")
                            .hasMessageContaining("not the expected spiffe://test/payments"));
        } finally {
            shipping.stop();
        }
    }

    @Test
    void aCallerWithACertificateFromAnotherCaIsRefusedCountedAndLoggedOnce() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        FAILURES.addHandler(capture);
        // the stranger trusts our CA (it can verify inventory), but its own certificate chains to another CA
        ServiceBuilder b = caller("stranger", PKI.otherCa);
        Inventory http = b.client(Inventory.class);
        Channel grpc = b.grpcChannel("inventory");
        RunningService stranger = b.start();
        try {
            assertThatThrownBy(http::whoami).isInstanceOf(UnreachableException.class)
                    .hasMessageContaining("TLS handshake failed");
            assertThatThrownBy(http::whoami).isInstanceOf(UnreachableException.class);
            assertThatThrownBy(() -> grpcWhoAmI(grpc)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCause()).isInstanceOf(UnreachableException.class)
                            .hasMessageContaining("TLS handshake failed"));
            String metrics = Eventually.within(Duration.ofSeconds(10)).get("the failures are counted",
                    ClientTlsTest::metrics, m -> m.contains("error_type=\"untrusted-certificate\""));
            assertThat(metrics).contains("chassis_tls_handshake_failures").contains("127.0.0.1");
            // a failure is counted before it is logged: wait for the line too
            Eventually.within(Duration.ofSeconds(10)).until("the failure logged", () -> logged.stream().anyMatch(
                    r -> r.getParameters() != null && "untrusted-certificate".equals(r.getParameters()[1])));
            assertThat(logged).filteredOn(r -> r.getParameters() != null
                    && "untrusted-certificate".equals(r.getParameters()[1])).hasSize(1);
        } finally {
            FAILURES.removeHandler(capture);
            stranger.stop();
        }
    }

    @Test
    void aClientThatSendsNothingIsClosedAtTheHandshakeTimeout() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", INVENTORY.port()), 5000);
            socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            InputStream in = socket.getInputStream();
            assertThat(in.read()).isEqualTo(-1); // closed by the server, long before the read timeout
        }
        Eventually.within(Duration.ofSeconds(10)).get("the timeout is counted", ClientTlsTest::metrics,
                m -> m.contains("error_type=\"timeout\""));
    }

    @Test
    void badClientTlsSettingsFailStartUp() {
        assertThat(StartFailure.of(caller("typo", PKI.ca, "clients.inventory.tls.bundle", "owm")).getMessage())
                .contains("clients.inventory.tls.bundle = 'owm' names no bundle").contains("own");
        assertThat(StartFailure.of(caller("plain", PKI.ca, "clients.inventory.url", "http://localhost:1"))
                .getMessage()).contains("clients.inventory.url has http://localhost:1")
                .contains("https:// URLs only");
        assertThat(StartFailure.of(Chassis.service("lone").property("server.port", "0")
                .property("clients.inventory.url", "https://localhost:1")
                .property("clients.inventory.tls.expected-identity", "spiffe://test/inventory")).getMessage())
                .contains("clients.inventory.tls.expected-identity is set but clients.inventory.tls.bundle is not");
    }

    private static String metrics() {
        try {
            TestCertificates.Issued scraper = PKI.ca.issue("scraper").create();
            HttpClient client = HttpClient.newBuilder().sslContext(PKI.ca.clientContext(scraper)).build();
            return client.send(HttpRequest.newBuilder(INVENTORY.uri().resolve("/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
