package dev.chassis.tests.production;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;
import dev.chassis.tests.grpc.EchoService;

/**
 * Production mode ({@code chassis.profile: production}): development-only defaults are refused before the port is
 * bound, all at once, each naming its allow setting and the fix; configured away or allowed, the service starts.
 */
class ProductionModeTest {
    private static final Path[] TLS = tls();

    /** With the messaging module on the class path (the other executions of a -Dtest run) its broker counts too. */
    @BeforeAll
    static void coreAndObservabilityOnly() {
        assumeFalse(ServiceLoader.load(ChassisExtension.class).stream().anyMatch(p -> p.get().name().equals("messaging")),
                "the counts here are core's and observability's");
    }

    private static Path[] tls() {
        try {
            Path dir = Files.createTempDirectory("production-tls");
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            TestCertificates.authority("production-ca").issue("localhost").dns("localhost").create().writePem(cert, key);
            return new Path[] {cert, key};
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gRPC service over TLS with everything on one port: three development-only choices. */
    private static ServiceBuilder everythingOnOnePort(String name) {
        return Chassis.service(name).grpc(new EchoService())
                .property("server.tls.bundle", "edge")
                .property("tls.bundles.edge.certificate", TLS[0].toString())
                .property("tls.bundles.edge.private-key", TLS[1].toString());
    }

    @Test
    void theProductionProfileRefusesEveryDevelopmentOnlyChoiceAtOnceBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(everythingOnOnePort("refused").property("chassis.profile", "production"));
        assertThat(e).isInstanceOf(ConfigException.class);
        assertThat(((ConfigException) e).problems()).hasSize(4).allSatisfy(p -> assertThat(p)
                .startsWith("production mode refuses ").contains("Fix: ").contains(": true"));
        assertThat(e).hasMessageContaining("Invalid configuration (4 problems)")
                .hasMessageContaining("production mode refuses gRPC reflection on the service port (core). Fix: set"
                        + " management.port (reflection moves there), or grpc.reflection.enabled: false; or allow it with"
                        + " production.allow.grpc-reflection-on-service-port: true")
                .hasMessageContaining("server.tls.bundle without management.port")
                .hasMessageContaining("production.allow.tls-without-management-port: true")
                .hasMessageContaining("the trace store (/observe/traces) on the service port (extension observability)")
                .hasMessageContaining("production.allow.trace-store-on-service-port: true")
                .hasMessageContaining("production mode refuses the console (/console) on the service port (extension"
                        + " observability). Fix: set management.port (e.g. 9090), or observability.console.enabled: false;"
                        + " or allow it with production.allow.console-on-service-port: true");
    }

    @Test
    void productionEnabledTurnsTheModeOnWithAnyProfile() {
        RuntimeException e = StartFailure.of(Chassis.service("enabled").property("production.enabled", "true"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("production mode refuses the trace store (/observe/traces) on the service port");
    }

    @Test
    void aManagementPortConfiguresEveryChoiceAwayAndTheProductionProfileNeedsNoFile() {
        RunningService s = everythingOnOnePort("configured").property("chassis.profile", "production")
                .property("server.port", "0").property("management.port", "0").start();
        try {
            assertThat(s.config().profile()).contains("production");
            assertThat(s.managementPort()).isPositive();
        } finally {
            s.stop();
        }
    }

    @Test
    void eachChoiceCanBeAllowedByItsSetting() {
        RunningService s = everythingOnOnePort("allowed").property("chassis.profile", "production")
                .property("server.port", "0")
                .property("production.allow.grpc-reflection-on-service-port", "true")
                .property("production.allow.tls-without-management-port", "true")
                .property("production.allow.trace-store-on-service-port", "true")
                .property("production.allow.console-on-service-port", "true").start();
        s.stop();
    }

    @Test
    void allowingOneChoiceLeavesTheOthersRefused() {
        RuntimeException e = StartFailure.of(everythingOnOnePort("partly").property("chassis.profile", "production")
                .property("production.allow.trace-store-on-service-port", "true"));
        assertThat(((ConfigException) e).problems()).hasSize(3).noneSatisfy(p -> assertThat(p).contains("trace store"));
    }

    @Test
    void productionEnabledFalseTurnsTheProfilesModeOff() {
        RunningService s = Chassis.service("off").property("chassis.profile", "production")
                .property("production.enabled", "false").property("server.port", "0").start();
        s.stop();
    }

    @Test
    void aMisspeltAllowSettingIsAnUnknownKey() {
        RuntimeException e = StartFailure.of(Chassis.service("typo").property("chassis.profile", "production")
                .property("production.allow.trace-store-on-servce-port", "true"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("production.allow.trace-store-on-servce-port")
                .hasMessageContaining("Did you mean production.allow.trace-store-on-service-port?");
    }
}
