package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.Peer;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.tests.grpc.EchoService;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.testing.TestCertificates;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;

/** Mutual TLS: the caller's verified identity reaches handlers; a certificate from another CA is refused. */
class MutualTlsTest {
    private static final Pki PKI = new Pki();
    private static final RunningService SERVICE = PKI.serving(Chassis.service("mtls").http(new WhoAmI())
            .grpc(new EchoService()), PKI.server("mtls")).property("server.tls.client-auth", "required").start();

    /** Answers with the caller's identity. */
    @dev.chassis.core.http.Path("/whoami") // CHECKSTYLE:FQN-OK
    public static final class WhoAmI {
        @Get
        public String whoami(Peer caller) {
            return caller.identity().orElse("anonymous");
        }
    }

    @AfterAll
    static void stop() {
        SERVICE.stop();
    }

    private static String call(SSLContext context) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(SERVICE.uri().resolve("/whoami"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void theSpiffeIdIsTheIdentity() throws Exception {
        TestCertificates.Issued client = PKI.ca.issue("orders").dns("orders.shop.svc").spiffe("spiffe://shop/orders")
                .create();
        assertThat(call(PKI.ca.clientContext(client))).contains("spiffe://shop/orders");
    }

    @Test
    void withoutASpiffeIdTheDnsNameThenTheSubject() throws Exception {
        assertThat(call(PKI.ca.clientContext(PKI.ca.issue("billing").dns("billing.shop.svc").create())))
                .contains("billing.shop.svc");
        assertThat(call(PKI.ca.clientContext(PKI.ca.issue("batch").create()))).contains("CN=batch");
    }

    @Test
    void aClientWithoutACertificateIsRefusedAtTheHandshake() {
        assertThatThrownBy(() -> call(PKI.ca.clientContext())).isInstanceOf(IOException.class);
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedAtTheHandshake() {
        TestCertificates.Issued stranger = PKI.otherCa.issue("stranger").spiffe("spiffe://shop/orders").create();
        // the stranger trusts our CA (it can verify the server) but its own certificate chains to another CA
        SSLContext context = PKI.ca.clientContext(new TestCertificates.Issued(stranger.certificate(),
                stranger.privateKey(), stranger.issuer()));
        assertThatThrownBy(() -> call(context)).isInstanceOf(IOException.class);
    }

    @Test
    void grpcWithAClientCertificateIsServedAndAStrangerIsRefused() throws Exception {
        Path[] own = PKI.write("grpc-client", PKI.ca.issue("grpc-client").spiffe("spiffe://shop/grpc").create());
        Path[] strange = PKI.write("grpc-stranger", PKI.otherCa.issue("grpc-stranger").create());
        ManagedChannel good = channel(own);
        ManagedChannel bad = channel(strange);
        try {
            assertThat(EchoGrpc.newBlockingStub(good).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("mtls").build()).getText()).isEqualTo("mtls");
            assertThatThrownBy(() -> EchoGrpc.newBlockingStub(bad).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("mtls").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            good.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            bad.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static ManagedChannel channel(Path[] certificateAndKey) throws IOException {
        return Grpc.newChannelBuilderForAddress("localhost", SERVICE.port(), TlsChannelCredentials.newBuilder()
                .trustManager(PKI.caFile.toFile())
                .keyManager(certificateAndKey[0].toFile(), certificateAndKey[1].toFile()).build()).build();
    }

    @Test
    void withoutClientAuthEveryCallerIsAnonymous() throws Exception {
        Pki pki = new Pki();
        RunningService none = pki.serving(Chassis.service("none").http(new WhoAmI()), pki.server("none")).start();
        try {
            // the server asks for no certificate, so the client presents none and the handler sees no identity
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(pki.ca.clientContext(pki.ca.issue("known").dns("known.svc").create())).build();
            assertThat(client.send(HttpRequest.newBuilder(none.uri().resolve("/whoami"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("anonymous");
        } finally {
            none.stop();
        }
    }

    @Test
    void optionalClientAuthServesAnonymousCallers() throws Exception {
        Pki pki = new Pki();
        RunningService optional = pki.serving(Chassis.service("optional").http(new WhoAmI()), pki.server("optional"))
                .property("server.tls.client-auth", "optional").start();
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(pki.ca.clientContext()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(optional.uri().resolve("/whoami"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).contains("anonymous");
            HttpClient withCertificate = HttpClient.newBuilder()
                    .sslContext(pki.ca.clientContext(pki.ca.issue("known").dns("known.svc").create())).build();
            assertThat(withCertificate.send(HttpRequest.newBuilder(optional.uri().resolve("/whoami"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("known.svc");
        } finally {
            optional.stop();
        }
    }
}
