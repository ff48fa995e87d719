package dev.chassis.tests.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The dependency rules of ARCHITECTURE.md, over the production classes of every module this module
 * depends on. Rules about modules that do not exist yet allow an empty match, so they start to bite
 * the day the module appears.
 */
class ArchitectureTest {
    private static final List<String> SIBLINGS = List.of("observability", "resilience", "discovery", "messaging");
    private static JavaClasses classes;

    /** Modules this module does not depend on (their extensions would join every test service here): by path. */
    private static final List<String> BUILT_BESIDE = List.of("messaging", "messaging/kafka", "messaging/jdbc",
            "discovery", "discovery/etcd", "discovery/kubernetes");

    @BeforeAll
    static void importClasses() {
        java.util.Set<com.tngtech.archunit.core.importer.Location> locations = new java.util.HashSet<>(
                com.tngtech.archunit.core.importer.Locations.ofPackage("dev.chassis"));
        for (String module : BUILT_BESIDE) {
            java.nio.file.Path p = java.nio.file.Path.of("..", module, "target", "classes").toAbsolutePath().normalize();
            if (java.nio.file.Files.isDirectory(p)) {
                locations.add(com.tngtech.archunit.core.importer.Location.of(p));
            }
        }
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importLocations(locations);
    }

    @Test
    void theImportSeesCoreAndTheTestKit() {
        // the rules below would pass vacuously on an empty import
        assertThat(classes.contain("dev.chassis.core.Chassis")).isTrue();
        assertThat(classes.contain("dev.chassis.core.internal.server.ServiceRuntime")).isTrue();
        assertThat(classes.contain("dev.chassis.testing.TestService")).isTrue();
        assertThat(classes.contain("dev.chassis.resilience.Retry")).isTrue();
        assertThat(classes.contain("dev.chassis.tests.architecture.ArchitectureTest")).as("test classes are excluded").isFalse();
        // the modules built beside this one (imported from their target/classes)
        assertThat(classes.contain("dev.chassis.messaging.internal.MessagingExtension")).isTrue();
        assertThat(classes.contain("dev.chassis.messaging.jdbc.internal.Relay")).isTrue();
        assertThat(classes.contain("dev.chassis.discovery.internal.DiscoveryExtension")).isTrue();
        assertThat(classes.contain("dev.chassis.discovery.etcd.EtcdBackend")).isTrue();
    }

    @Test
    void coreDependsOnNoSibling() {
        noClasses().that().resideInAPackage("dev.chassis.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.chassis.observability..", "dev.chassis.resilience..",
                        "dev.chassis.discovery..", "dev.chassis.messaging..", "dev.chassis.testing..", "dev.chassis.samples..")
                .check(classes);
    }

    @Test
    void coreUsesTheOpenTelemetryApiOnly() {
        noClasses().that().resideInAPackage("dev.chassis.core..")
                .should().dependOnClassesThat().resideInAPackage("io.opentelemetry.sdk..")
                .because("libraries instrument, applications configure: core depends on the OpenTelemetry API only")
                .check(classes);
    }

    @Test
    void noModuleUsesAnotherModulesInternals() {
        for (String module : List.of("core", "observability", "resilience", "discovery", "messaging", "testing")) {
            noClasses().that().resideOutsideOfPackage("dev.chassis." + module + "..")
                    .should().dependOnClassesThat().resideInAPackage("dev.chassis." + module + "..internal..")
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    @Test
    void siblingsDoNotDependOnEachOther() {
        for (String a : SIBLINGS) {
            for (String b : SIBLINGS) {
                if (!a.equals(b)) {
                    noClasses().that().resideInAPackage("dev.chassis." + a + "..")
                            .should().dependOnClassesThat().resideInAPackage("dev.chassis." + b + "..")
                            .allowEmptyShould(true)
                            .check(classes);
                }
            }
        }
    }

    @Test
    void theSpiAndTheApiDoNotExposeInternals() {
        noClasses().that().resideInAPackage("dev.chassis.core..").and().resideOutsideOfPackage("dev.chassis.core..internal..")
                .and().doNotHaveFullyQualifiedName("dev.chassis.core.ServiceBuilder")
                .and().doNotHaveFullyQualifiedName("dev.chassis.core.client.HttpClients")
                .should().dependOnClassesThat().resideInAPackage("dev.chassis.core..internal..")
                .because("API and SPI types are what users compile against; only the two entry points (the service builder and"
                        + " the stand-alone client factory) hand over to the runtime")
                .check(classes);
    }

    @Test
    void implementationIsInternalOrPackagePrivate() {
        classes().that().resideInAPackage("dev.chassis.core..").and().arePublic()
                .and().resideOutsideOfPackage("dev.chassis.core..internal..")
                .should().resideInAnyPackage("dev.chassis.core", "dev.chassis.core.config", "dev.chassis.core.http",
                        "dev.chassis.core.client", "dev.chassis.core.grpc",
                        "dev.chassis.core.health", "dev.chassis.core.spi")
                .check(classes);
    }
}
