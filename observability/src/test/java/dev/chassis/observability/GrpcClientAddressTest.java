package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/**
 * A gRPC call's server span names its client ({@code client.address}) as an HTTP request's does: the connection's
 * peer, or — from a peer in {@code server.trusted-proxies} — the address its {@code x-forwarded-for} (or
 * {@code forwarded}) metadata names; forwarded metadata from anyone else is ignored. Real sockets, grpc-java's client.
 */
class GrpcClientAddressTest {
    private static final Metadata.Key<String> XFF = Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> FORWARDED = Metadata.Key.of("forwarded", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void theSpanNamesThePeerOrWhatATrustedProxyForwarded() throws Exception {
        assertThat(clientOf(List.of(), XFF, "203.0.113.9", "4bf92f3577b34da6a3ce929d0e0e4701"))
                .as("an untrusted peer's forwarded metadata is ignored").isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(clientOf(List.of("server.trusted-proxies", "127.0.0.1/32, ::1/128"), XFF, "10.9.9.9, 203.0.113.9",
                "4bf92f3577b34da6a3ce929d0e0e4702")).isEqualTo("203.0.113.9");
        assertThat(clientOf(List.of("server.trusted-proxies", "127.0.0.1/32, ::1/128", "server.trusted-proxy-headers",
                "forwarded"), FORWARDED, "for=<bad>, for=198.51.100.4", "4bf92f3577b34da6a3ce929d0e0e4703"))
                .as("a malformed element the client wrote does not hide the proxy's").isEqualTo("198.51.100.4");
        assertThat(clientOf(List.of("server.trusted-proxies", "127.0.0.1/32, ::1/128"), FORWARDED, "for=198.51.100.4",
                "4bf92f3577b34da6a3ce929d0e0e4704")).as("the set the proxies do not write is not read")
                .isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
    }

    /** The {@code client.address} of the Echo/Say span of one call carrying {@code key: value}. */
    private static String clientOf(List<String> properties, Metadata.Key<String> key, String value, String traceId)
            throws InterruptedException {
        var builder = Chassis.service("grpc-client").property("server.port", "0").grpc(new TwoServicesTest.Echo());
        for (int i = 0; i < properties.size(); i += 2) {
            builder.property(properties.get(i), properties.get(i + 1));
        }
        RunningService service = builder.start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(key, value);
            headers.put(TRACEPARENT, "00-" + traceId + "-00f067aa0ba902b7-01");
            EchoGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .say(EchoRequest.newBuilder().setText("hi").build());
            TestClient http = new TestClient(service.uri());
            List<JsonNode> spans = Eventually.within(Duration.ofSeconds(10)).get("the call's span", () -> {
                TestResponse r = http.get("/observe/traces/" + traceId);
                List<JsonNode> found = new ArrayList<>();
                if (r.status() == 200) {
                    r.json().get("spans").forEach(found::add);
                }
                return found;
            }, found -> !found.isEmpty());
            assertThat(spans).hasSize(1);
            assertThat(spans.get(0).get("name").asText()).isEqualTo("chassis.test.Echo/Say");
            return spans.get(0).at("/attributes/client.address").asText();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            service.stop();
        }
    }
}
