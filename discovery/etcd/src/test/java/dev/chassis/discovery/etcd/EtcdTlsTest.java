package dev.chassis.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.config.ConfigException;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;
import dev.chassis.discovery.Who;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;

/**
 * The etcd back-end over https with a client certificate ({@code discovery.etcd.tls.bundle}), against a real etcd
 * started with {@code --cert-file --key-file --trusted-ca-file --client-cert-auth}.
 */
class EtcdTlsTest {
    private static Path dir;
    private static EtcdProcess etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        dir = Files.createTempDirectory("chassis-etcd-tls-");
        TestCertificates ca = TestCertificates.authority("etcd test CA");
        ca.writePem(dir.resolve("ca.pem"));
        ca.issue("etcd").dns("localhost").ip("127.0.0.1").create()
                .writePem(dir.resolve("etcd.pem"), dir.resolve("etcd.key"));
        TestCertificates.Issued client = ca.issue("orders").spiffe("spiffe://test/orders").create();
        client.writePem(dir.resolve("client.pem"), dir.resolve("client.key"));
        TestCertificates.authority("another CA").writePem(dir.resolve("other-ca.pem"));
        // the services' own certificates: inventory serves https at 127.0.0.1, orders presents its own
        ca.issue("inventory").dns("localhost").ip("127.0.0.1").spiffe("spiffe://test/inventory").create()
                .writePem(dir.resolve("inventory.pem"), dir.resolve("inventory.key"));
        etcd = EtcdProcess.startTls(dir.resolve("etcd.pem"), dir.resolve("etcd.key"), dir.resolve("ca.pem"),
                ca.clientContext(client));
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static ServiceBuilder service(String name, String trust, boolean clientCertificate) {
        ServiceBuilder b = Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("discovery.backend", "etcd").property("discovery.etcd.endpoints", etcd.endpoint())
                .property("discovery.etcd.ttl", "2s").property("discovery.advertise-host", "127.0.0.1")
                .property("tls.bundles.etcd.trust", dir.resolve(trust).toString())
                .property("discovery.etcd.tls.bundle", "etcd");
        if (clientCertificate) {
            b.property("tls.bundles.etcd.certificate", dir.resolve("client.pem").toString())
                    .property("tls.bundles.etcd.private-key", dir.resolve("client.key").toString());
        }
        return b;
    }

    /** A service with its own bundle {@code own}: {@code own.pem} as certificate, the test CA as trust. */
    private static ServiceBuilder withOwnBundle(ServiceBuilder b, String own) {
        return b.property("tls.bundles.own.certificate", dir.resolve(own + ".pem").toString())
                .property("tls.bundles.own.private-key", dir.resolve(own + ".key").toString())
                .property("tls.bundles.own.trust", dir.resolve("ca.pem").toString());
    }

    /** An inventory instance in this JVM; over mutual TLS when {@code tls}. */
    private static RunningService inventory(String id, boolean tls) {
        ServiceBuilder b = service("inventory", "ca.pem", true).property("service.instance-id", id);
        if (tls) {
            withOwnBundle(b, "inventory").property("server.tls.bundle", "own").property("server.tls.client-auth", "required");
        }
        return b.http(new Who.WhoApi(id)).start();
    }

    @Test
    void aTlsServiceRegistersHttpsAndAnotherFindsAndCallsItByNameOverMutualTls() {
        RunningService inventory = inventory("tls-a", true);
        ServiceBuilder ob = withOwnBundle(service("orders", "ca.pem", true), "client")
                .property("discovery.register", "false").property("clients.inventory.tls.bundle", "own");
        Who.Inventory client = ob.client(Who.Inventory.class);
        ServiceRegistry registry = ob.component(ServiceRegistry.class);
        RunningService orders = ob.start();
        try {
            assertThat(inventory.uri().getScheme()).isEqualTo("https");
            List<ServiceInstance> found = Eventually.within(Duration.ofSeconds(30)).get("inventory registered",
                    () -> registry.instances("inventory"), l -> !l.isEmpty());
            assertThat(found).extracting(ServiceInstance::uri).containsExactly(URI.create("https://127.0.0.1:"
                    + inventory.port()));
            assertThat(found.get(0).secure()).isTrue();
            assertThat(Who.seen(client, 3)).containsExactly("tls-a"); // by name, over https with orders' certificate
        } finally {
            orders.stop();
            inventory.stop();
        }
    }

    @Test
    void aPlaintextInstanceFoundByDiscoveryIsRefusedByAClientWithABundle() {
        RunningService inventory = inventory("plain-a", false);
        ServiceBuilder ob = withOwnBundle(service("orders", "ca.pem", true), "client")
                .property("discovery.register", "false").property("clients.inventory.tls.bundle", "own")
                .property("clients.inventory.retry.max-attempts", "1");
        Who.Inventory client = ob.client(Who.Inventory.class);
        RunningService orders = ob.start();
        try {
            Eventually.within(Duration.ofSeconds(30)).until("inventory registered", () -> {
                try {
                    client.who();
                    return true;
                } catch (UnreachableException e) {
                    return !e.getMessage().contains("no instances");
                }
            });
            assertThatThrownBy(client::who).isInstanceOf(UnreachableException.class)
                    .hasMessageContaining("inventory instance http://127.0.0.1:" + inventory.port()
                            + " (from discovery) serves plaintext, but clients.inventory.tls.bundle is set")
                    .hasMessageContaining("the call is not sent unprotected");
            assertThat(inventory.uri().getScheme()).isEqualTo("http");
        } finally {
            orders.stop();
            inventory.stop();
        }
    }

    @Test
    void registersAndFindsInstancesOverMutualTls() {
        ServiceBuilder b = service("inventory", "ca.pem", true);
        ServiceRegistry registry = b.component(ServiceRegistry.class);
        RunningService s = b.start();
        try {
            Eventually.within(Duration.ofSeconds(30)).until("the service registered itself over TLS",
                    () -> registry.instances("inventory").stream().map(ServiceInstance::port).toList().contains(s.port()));
            assertThat(registry.reachable()).isTrue();
        } finally {
            s.stop();
        }
    }

    @Test
    void anEtcdCertificateFromAnotherCaFailsStartUpNamingTheBundleAndTheEndpoint() {
        RuntimeException e = StartFailure.of(service("wrong-ca", "other-ca.pem", true));
        assertThat(e).hasMessageContaining("TLS handshake with etcd at " + etcd.endpoint() + " failed (bundle 'etcd')")
                .hasMessageContaining("does not chain to the CAs of tls.bundles.etcd.trust");
    }

    @Test
    void withoutAClientCertificateStartUpFailsNamingTheBundleAndTheEndpoint() {
        RuntimeException e = StartFailure.of(service("no-cert", "ca.pem", false));
        assertThat(e).hasMessageContaining("TLS handshake with etcd at " + etcd.endpoint() + " failed (bundle 'etcd')")
                .hasMessageContaining("bundle 'etcd' has none");
    }

    @Test
    void aPlaintextEndpointWithABundleFailsStartUp() {
        RuntimeException e = StartFailure.of(service("plain", "ca.pem", true)
                .property("discovery.etcd.endpoints", "http://127.0.0.1:2379"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("discovery.etcd.endpoints:"
                + " 'http://127.0.0.1:2379' is not https, and discovery.etcd.tls.bundle = 'etcd' is set");
    }
}
