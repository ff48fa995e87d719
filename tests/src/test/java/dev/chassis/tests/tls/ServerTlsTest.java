package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.tests.grpc.EchoService;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.testing.TestCertificates;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

/**
 * HTTPS on the service port: HTTP/1.1 and HTTP/2 by ALPN, gRPC, PKCS#12, and clients on the wrong side of
 * TLS ({@code java.nio.file.Path} written out: {@code Path} is the annotation here).
 */
class ServerTlsTest {
    private static final Pki PKI = new Pki();
    private static final RunningService SERVICE = PKI.serving(Chassis.service("secure").http(new Hello())
            .grpc(new EchoService()), PKI.server("secure")).start();

    /** A greeting. */
    @Path("/hello")
    public static final class Hello {
        @Get
        public String hello() {
            return "hello";
        }
    }

    @AfterAll
    static void stop() {
        SERVICE.stop();
    }

    private static HttpResponse<String> get(HttpClient.Version version) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(PKI.ca.clientContext()).version(version)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(SERVICE.uri().resolve("/hello")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServiceUriIsHttps() {
        assertThat(SERVICE.uri().getScheme()).isEqualTo("https");
    }

    @Test
    void http2IsNegotiatedByAlpn() throws Exception {
        HttpResponse<String> response = get(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("hello");
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void http11StillWorks() throws Exception {
        HttpResponse<String> response = get(HttpClient.Version.HTTP_1_1);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void healthIsServedOverTls() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(PKI.ca.clientContext()).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(SERVICE.uri().resolve("/health/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void grpcWorksOverTlsWithAPlainGrpcJavaClient() throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", SERVICE.port(),
                TlsChannelCredentials.newBuilder().trustManager(PKI.caFile.toFile()).build()).build();
        try {
            String text = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("over tls").build()).getText();
            assertThat(text).isEqualTo("over tls");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void curlSpeaksHttp2AndHttp11() throws Exception {
        boolean installed = Files.isExecutable(java.nio.file.Path.of("/usr/bin/curl")); // CHECKSTYLE:FQN-OK
        if ("true".equals(System.getenv("CI"))) {
            assertThat(installed).as("curl is installed (.ci/run installs it)").isTrue(); // under CI a skip would hide it
        }
        assumeThat(installed).as("curl is installed (Debian package curl)").isTrue();
        for (String flag : new String[] {"--http2", "--http1.1"}) {
            Process curl = new ProcessBuilder("curl", "-sS", flag, "--max-time", "10", "--cacert", PKI.caFile.toString(),
                    "-o", "/dev/null", "-w", "%{http_code} %{http_version}", SERVICE.uri().resolve("/hello").toString())
                    .redirectErrorStream(true).start();
            assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).isEqualTo(flag.equals("--http2") ? "200 2" : "200 1.1");
        }
    }

    @Test
    void aPkcs12KeystoreServesToo() throws Exception {
        TestCertificates.Issued issued = PKI.server("from-p12");
        java.nio.file.Path p12 = issued.writePkcs12(PKI.dir.resolve("server.p12"), "s3cret-pw"); // CHECKSTYLE:FQN-OK
        RunningService service = Chassis.service("p12").http(new Hello()).property("server.port", "0")
                .property("server.tls.bundle", "p12")
                .property("tls.bundles.p12.keystore", p12.toString())
                .property("tls.bundles.p12.keystore-password", "s3cret-pw").start();
        try {
            assertThat(Pki.cn(Pki.handshake(PKI.ca.clientContext(), service.port()))).isEqualTo("CN=from-p12");
        } finally {
            service.stop();
        }
    }

    @Test
    void aPlaintextClientOnTheTlsPortIsClosedAtOnce() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", SERVICE.port()), 5000);
            socket.setSoTimeout(10_000); // a read that hangs fails the test with SocketTimeoutException
            OutputStream out = socket.getOutputStream();
            out.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[512];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n); // a TLS alert, if any, then the end of the stream
                }
            } catch (SocketException reset) {
                // closed with a reset: also an answer
            }
            byte[] bytes = answer.toByteArray();
            assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).as("never a plaintext HTTP answer")
                    .doesNotStartWith("HTTP/");
            if (bytes.length > 0) {
                assertThat(bytes[0]).as("a TLS record: an alert (21) or a handshake (22)").isIn((byte) 21, (byte) 22);
            }
        }
    }

    @Test
    void aTlsClientOnAPlaintextPortFailsAtOnce() {
        RunningService plain = Chassis.service("plain").http(new Hello()).property("server.port", "0").start();
        try {
            URI https = URI.create("https://localhost:" + plain.port() + "/hello");
            HttpClient client = HttpClient.newBuilder().sslContext(PKI.ca.clientContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(https).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLException.class);
        } finally {
            plain.stop();
        }
    }

    @Test
    void onlyTls13And12WithStrongSuitesAreOffered() throws IOException {
        SSLContext context = PKI.ca.clientContext();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
                .createSocket("localhost", SERVICE.port())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"});
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLException.class);
        }
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
                .createSocket("localhost", SERVICE.port())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getCipherSuite()).contains("GCM");
        }
    }
}
