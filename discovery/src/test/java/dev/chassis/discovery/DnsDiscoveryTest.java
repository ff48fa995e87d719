package dev.chassis.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chassis.testing.Eventually;
import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.TestClient;

/**
 * The DNS back-end against a DNS server speaking real UDP ({@link TestDnsServer}): A records (one port, several
 * addresses, as a Kubernetes headless service), SRV records (ports per instance, as Docker Compose or Consul), TTLs
 * respected, and a DNS server that goes away.
 */
class DnsDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRecordsAreFollowedAsTheirTtlRunsOut() throws Exception {
        int port = Who.freePort();
        // two instances on one port and two loopback addresses, as pods behind a headless service
        RunningService a = Who.inventory("a", new Who.WhoApi("a"), Map.of("server.host", "127.0.0.2",
                "server.port", Integer.toString(port), "discovery.register", "false"));
        RunningService b = Who.inventory("b", new Who.WhoApi("b"), Map.of("server.host", "127.0.0.3",
                "server.port", Integer.toString(port), "discovery.register", "false"));
        try (TestDnsServer dns = new TestDnsServer()) {
            dns.set("inventory.test.local", List.of(TestDnsServer.Rr.a("127.0.0.2", 1)));
            ServiceBuilder ob = Chassis.service("orders").property("server.port", "0")
                    .property("discovery.backend", "dns").property("discovery.register", "false")
                    .property("discovery.dns.servers", dns.address()).property("discovery.dns.domain", "test.local")
                    .property("discovery.dns.port", Integer.toString(port));
            Who.Inventory client = ob.client(Who.Inventory.class);
            RunningService orders = ob.start();
            try {
                assertThat(Who.seen(client, 10)).containsExactly("a");
                dns.set("inventory.test.local", List.of(TestDnsServer.Rr.a("127.0.0.2", 1),
                        TestDnsServer.Rr.a("127.0.0.3", 1)));
                long changed = System.nanoTime();
                Eventually.within(WAIT).until("b is called after the TTL", () -> Who.seen(client, 4).contains("b"));
                double ms = (System.nanoTime() - changed) / 1e6;
                assertThat(ms).as("TTL 1 s: looked up again within about a second").isLessThan(3000);
                assertThat(Who.seen(client, 20)).containsExactlyInAnyOrder("a", "b");

                // a long TTL is not asked again soon (but at least every discovery.dns.max-refresh)
                dns.set("long.test.local", List.of(TestDnsServer.Rr.a("127.0.0.2", 3600)));
                ServiceBuilder lb = Chassis.service("long").property("server.port", "0")
                        .property("discovery.backend", "dns").property("discovery.register", "false")
                        .property("discovery.dns.servers", dns.address()).property("discovery.dns.domain", "test.local")
                        .property("discovery.dns.port", Integer.toString(port));
                Who.Inventory longClient = lb.client(Who.Inventory.class, "long");
                RunningService longService = lb.start();
                try {
                    assertThat(Who.seen(longClient, 5)).containsExactly("a");
                    int asked = dns.questions("long.test.local");
                    // the clock of this check: the name with a 1 s TTL is looked up twice more meanwhile
                    int shortAsked = dns.questions("inventory.test.local");
                    Eventually.within(WAIT).until("two refreshes of the 1 s name",
                            () -> dns.questions("inventory.test.local") >= shortAsked + 2);
                    assertThat(Who.seen(longClient, 5)).containsExactly("a");
                    assertThat(dns.questions("long.test.local")).as("no new lookup before the TTL").isEqualTo(asked);
                } finally {
                    longService.stop();
                }
            } finally {
                orders.stop();
            }
        } finally {
            a.stop();
            b.stop();
        }
    }

    @Test
    void srvRecordsGivePortsAndAGoneDnsServerLeavesTheLastInstancesInUse() throws Exception {
        RunningService a = Who.inventory("srv-a", new Who.WhoApi("srv-a"), Map.of("discovery.register", "false"));
        RunningService b = Who.inventory("srv-b", new Who.WhoApi("srv-b"), Map.of("discovery.register", "false"));
        TestDnsServer dns = new TestDnsServer();
        RunningService orders = null;
        try {
            dns.set("_http._tcp.inventory.svc.test", List.of(TestDnsServer.Rr.srv("a.svc.test", a.port(), 1),
                    TestDnsServer.Rr.srv("b.svc.test", b.port(), 1)));
            dns.set("a.svc.test", List.of(TestDnsServer.Rr.a("127.0.0.1", 1)));
            dns.set("b.svc.test", List.of(TestDnsServer.Rr.a("127.0.0.1", 1)));
            ServiceBuilder ob = Chassis.service("orders").property("server.port", "0")
                    .property("discovery.backend", "dns").property("discovery.register", "false")
                    .property("discovery.dns.servers", dns.address()).property("discovery.dns.domain", "svc.test")
                    .property("discovery.dns.srv", "true").property("discovery.dns.timeout", "200ms");
            Who.Inventory client = ob.client(Who.Inventory.class);
            orders = ob.start();
            assertThat(Who.seen(client, 10)).containsExactlyInAnyOrder("srv-a", "srv-b");
            TestClient http = new TestClient(orders.uri());
            assertThat(http.get("/health/ready").body()).doesNotContain("stale");

            dns.close(); // the DNS server goes away
            Eventually.within(WAIT).until("readiness says the instances are stale",
                    () -> http.get("/health/ready").body().contains("stale"));
            assertThat(http.get("/health/ready").status()).as("still ready: the last instances work").isEqualTo(200);
            assertThat(Who.seen(client, 10)).containsExactlyInAnyOrder("srv-a", "srv-b");
        } finally {
            dns.close();
            if (orders != null) {
                orders.stop();
            }
            a.stop();
            b.stop();
        }
    }

    @Test
    void discoveryDnsSchemeHttpsMakesTheInstancesHttps() throws Exception {
        try (TestDnsServer dns = new TestDnsServer()) {
            dns.set("inventory.test.local", List.of(TestDnsServer.Rr.a("127.0.0.2", 30)));
            ServiceBuilder ob = Chassis.service("orders").property("server.port", "0")
                    .property("discovery.backend", "dns").property("discovery.register", "false")
                    .property("discovery.dns.servers", dns.address()).property("discovery.dns.domain", "test.local")
                    .property("discovery.dns.port", "8443").property("discovery.dns.scheme", "https");
            ServiceRegistry registry = ob.component(ServiceRegistry.class);
            RunningService orders = ob.start();
            try {
                assertThat(registry.instances("inventory")).extracting(ServiceInstance::uri)
                        .containsExactly(URI.create("https://127.0.0.2:8443"));
            } finally {
                orders.stop();
            }
        }
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0").property("discovery.backend", "dns")
                .property("discovery.dns.servers", "127.0.0.1").property("discovery.dns.scheme", "ftp").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("discovery.dns.scheme")
                .hasMessageContaining("http, https");
    }

    @Test
    void badSettingsFailStartUp() {
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0").property("discovery.backend", "consul")
                .start()).isInstanceOf(ConfigException.class).hasMessageContaining("discovery.backend")
                .hasMessageContaining("static").hasMessageContaining("dns");
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0").property("discovery.backend", "etcd")
                .start()).hasMessageContaining("chassis-discovery-etcd");
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0").property("discovery.backend", "dns")
                .property("discovery.dns.servers", "host:notaport").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("discovery.dns.servers");
    }
}
