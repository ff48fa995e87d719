package dev.chassis.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.testing.Eventually;
import dev.chassis.discovery.Who;
import dev.chassis.testing.TestClient;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * The Kubernetes back-end against fabric8's mock API server in CRUD mode (it stores objects and serves list and
 * watch): no cluster runs here, so the API server is simulated; the instances it lists are real services.
 */
class KubernetesDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EndpointSlice slice(String name, String pod, int port, boolean ready) {
        return new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace("shop")
                .addToLabels("kubernetes.io/service-name", "inventory").endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(port).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(ready).endConditions()
                .withNewTargetRef().withKind("Pod").withName(pod).withNamespace("shop").endTargetRef().endEndpoint()
                .build();
    }

    @Test
    @Timeout(60)
    void readyEndpointsOfTheServicesSlicesAreCalledAndFollowed() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        RunningService a = Who.inventory("pod-a", new Who.WhoApi("pod-a"), Map.of("discovery.register", "false"));
        RunningService b = Who.inventory("pod-b", new Who.WhoApi("pod-b"), Map.of("discovery.register", "false"));
        RunningService orders = null;
        try (KubernetesClient admin = server.createClient()) {
            admin.resource(slice("inventory-a", "pod-a", a.port(), true)).create();
            ServiceBuilder ob = Chassis.service("orders").property("server.port", "0")
                    .property("discovery.backend", "kubernetes").property("discovery.register", "false")
                    .property("discovery.kubernetes.master-url", server.url("/"))
                    .property("discovery.kubernetes.namespace", "shop");
            Who.Inventory client = ob.client(Who.Inventory.class);
            orders = ob.start();
            assertThat(Who.seen(client, 6)).containsExactly("pod-a");

            admin.resource(slice("inventory-b", "pod-b", b.port(), true)).create(); // a pod became ready
            long added = System.nanoTime();
            Eventually.within(WAIT).until("pod-b called", () -> Who.seen(client, 4).contains("pod-b"));
            System.out.printf("kubernetes: a new endpoint was called %.1f ms after its slice was written%n",
                    (System.nanoTime() - added) / 1e6);
            assertThat(Who.seen(client, 10)).containsExactlyInAnyOrder("pod-a", "pod-b");

            admin.resource(slice("inventory-a", "pod-a", a.port(), false)).update(); // pod-a not ready (terminating)
            Eventually.within(WAIT).until("pod-a no longer called", () -> Who.seen(client, 10).equals(Set.of("pod-b")));

            TestClient http = new TestClient(orders.uri());
            assertThat(http.get("/health/ready").body()).doesNotContain("stale");
        } finally {
            if (orders != null) {
                orders.stop();
            }
            a.stop();
            b.stop();
            server.destroy();
        }
    }
}
