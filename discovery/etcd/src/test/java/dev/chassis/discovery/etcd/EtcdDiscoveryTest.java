package dev.chassis.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.ClientException;
import dev.chassis.testing.Eventually;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;
import dev.chassis.discovery.Who;
import dev.chassis.testing.TestClient;

/** The etcd back-end against a real etcd server: leases, watches, self-registration, an etcd outage. */
class EtcdDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Map<String, String> etcd(EtcdProcess etcd) {
        return Map.of("discovery.backend", "etcd", "discovery.etcd.endpoints", etcd.endpoint(),
                "discovery.etcd.ttl", "2s", "discovery.advertise-host", "127.0.0.1");
    }

    private static ServiceBuilder orders(EtcdProcess etcd) {
        ServiceBuilder b = Chassis.service("orders").property("server.port", "0").property("server.shutdown.delay", "0s");
        etcd(etcd).forEach(b::property);
        return b;
    }

    @Test
    @Timeout(90)
    void instancesRegisterWhenReadyAreFoundByWatchAndLeaveGracefullyOrByLeaseExpiry() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            RunningService a = Who.inventory("e-a", new Who.WhoApi("e-a"), etcd(etcd));
            RunningService b = null;
            Process killed = null;
            ServiceBuilder ob = orders(etcd);
            Who.Inventory client = ob.client(Who.Inventory.class);
            ServiceRegistry registry = ob.component(ServiceRegistry.class);
            RunningService orders = ob.start();
            AtomicBoolean calling = new AtomicBoolean(true);
            AtomicInteger failed = new AtomicInteger();
            AtomicInteger calls = new AtomicInteger();
            Map<String, Long> firstSeen = new ConcurrentHashMap<>();
            Thread caller = null;
            try {
                assertThat(Who.seen(client, 5)).containsExactly("e-a");
                assertThat(registry.instances("inventory")).extracting(ServiceInstance::id).containsExactly("e-a");
                assertThat(registry.instances("inventory").get(0).port()).isEqualTo(a.port());

                caller = Thread.ofPlatform().start(() -> {
                    while (calling.get()) {
                        try {
                            firstSeen.putIfAbsent(client.who().id(), System.nanoTime());
                            calls.incrementAndGet();
                        } catch (ClientException e) {
                            failed.incrementAndGet();
                        }
                    }
                });
                long registering = System.nanoTime();
                b = Who.inventory("e-b", new Who.WhoApi("e-b"), etcd(etcd));
                Eventually.within(WAIT).until("e-b called", () -> firstSeen.containsKey("e-b"));
                double ms = (firstSeen.get("e-b") - registering) / 1e6;
                System.out.printf("etcd: a new instance got its first call %.1f ms after it started%n", ms);
                assertThat(ms).as("the stated bound for etcd: its start-up plus 2 s").isLessThan(5000);

                b.stop(); // graceful: deregistered first
                b = null;
                int before = calls.get() + failed.get();
                // the caller goes on through the leave and after it, until the port has surely closed
                Eventually.within(WAIT).until("200 calls after the instance left",
                        () -> calls.get() + failed.get() >= before + 200);
                assertThat(failed.get()).as("calls failed while an instance left gracefully").isZero();

                // an instance that dies without deregistering is gone when its lease (2 s) expires
                int port = Who.freePort();
                killed = Who.child(port, "e-dead", "discovery.backend=etcd", "discovery.etcd.endpoints=" + etcd.endpoint(),
                        "discovery.etcd.ttl=2s", "discovery.advertise-host=127.0.0.1");
                Eventually.within(WAIT).until("e-dead registered", () -> registry.instances("inventory").stream()
                        .anyMatch(i -> i.id().equals("e-dead")));
                killed.destroyForcibly().waitFor();
                long death = System.nanoTime();
                Eventually.within(WAIT).until("e-dead's lease expired", () -> registry.instances("inventory").stream()
                        .noneMatch(i -> i.id().equals("e-dead")));
                double gone = (System.nanoTime() - death) / 1e9;
                System.out.printf("etcd: a killed instance was gone %.1f s after it died (lease 2 s)%n", gone);
                assertThat(gone).isLessThan(6.0);
            } finally {
                calling.set(false);
                if (caller != null) {
                    caller.join();
                }
                if (killed != null) {
                    killed.destroyForcibly();
                }
                orders.stop();
                a.stop();
                if (b != null) {
                    b.stop();
                }
            }
        }
    }

    @Test
    @Timeout(90)
    void anEtcdOutageLeavesTheLastInstancesInUseAndReadinessSaysSo() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            RunningService a = Who.inventory("o-a", new Who.WhoApi("o-a"), etcd(etcd));
            RunningService b = Who.inventory("o-b", new Who.WhoApi("o-b"), etcd(etcd));
            ServiceBuilder ob = orders(etcd);
            Who.Inventory client = ob.client(Who.Inventory.class);
            RunningService orders = ob.start();
            TestClient http = new TestClient(orders.uri());
            try {
                Eventually.within(WAIT).until("both instances known",
                        () -> Who.seen(client, 6).equals(Set.of("o-a", "o-b")));
                etcd.kill();
                Eventually.within(WAIT).until("readiness says the instances are stale",
                        () -> http.get("/health/ready").body().contains("stale"));
                assertThat(http.get("/health/ready").status()).isEqualTo(200);
                assertThat(Who.seen(client, 10)).as("the last known instances").isEqualTo(Set.of("o-a", "o-b"));

                etcd.launch(); // back, with its data: the watch resumes
                Eventually.within(WAIT).until("readiness no longer stale",
                        () -> !http.get("/health/ready").body().contains("stale"));
                assertThat(Who.seen(client, 10)).isEqualTo(Set.of("o-a", "o-b"));
            } finally {
                orders.stop();
                a.stop();
                b.stop();
            }
        }
    }

    @Test
    void aBadEndpointFailsStartUp() {
        Assertions.assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0")
                .property("discovery.backend", "etcd").property("discovery.etcd.endpoints", "etcd:2379").start())
                .hasMessageContaining("discovery.etcd.endpoints");
    }
}
