package dev.chassis.tests.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.core.importer.Locations;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

import dev.chassis.tests.architecture.fixture.SiblingInternals;
import example.outside.UsesSharedInternals;

/**
 * The rules of docs/architecture.md ("Modules and the direction of dependencies", rules 1-4), over the production
 * classes of every Chassis module. Rules about modules that do not exist yet allow an empty match, so they start to bite
 * the day the module appears.
 */
class ArchitectureTest {
    private static final List<String> SIBLINGS = List.of("observability", "resilience", "discovery", "messaging",
            "openapi");
    private static JavaClasses classes;

    /** Modules this module does not depend on (their extensions would join every test service here): by path. */
    private static final List<String> BUILT_BESIDE = List.of("messaging", "messaging/kafka", "messaging/jdbc",
            "discovery", "discovery/etcd", "discovery/kubernetes", "openapi");

    @BeforeAll
    static void importClasses() {
        Set<Location> locations = new HashSet<>(
                Locations.ofPackage("dev.chassis"));
        for (String module : BUILT_BESIDE) {
            Path p = Path.of("..", module, "target", "classes").toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                locations.add(Location.of(p));
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
        assertThat(classes.contain("dev.chassis.discovery.etcd.internal.EtcdBackend")).isTrue();
        assertThat(classes.contain("dev.chassis.discovery.kubernetes.internal.KubernetesBackend")).isTrue();
        assertThat(classes.contain("dev.chassis.core.internal.shared.Backoff")).isTrue();
        assertThat(classes.contain("dev.chassis.openapi.internal.OpenApiExtension")).isTrue();
    }

    @Test
    void coreDependsOnNoSibling() {
        noClasses().that().resideInAPackage("dev.chassis.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.chassis.observability..", "dev.chassis.resilience..",
                        "dev.chassis.discovery..", "dev.chassis.messaging..", "dev.chassis.openapi..", "dev.chassis.testing..",
                        "dev.chassis.samples..")
                .because("docs/architecture.md, rule 1: core depends on no other Chassis module")
                .check(classes);
    }

    @Test
    void coreUsesTheOpenTelemetryApiOnly() {
        noClasses().that().resideInAPackage("dev.chassis.core..")
                .should().dependOnClassesThat().resideInAPackage("io.opentelemetry.sdk..")
                .because("libraries instrument, applications configure: core depends on the OpenTelemetry API only")
                .check(classes);
    }

    /**
     * Modules whose {@code internal} packages are theirs alone; {@code dev.chassis.core.internal.shared} is the one
     * exception, shared by every Chassis module.
     */
    private static final List<String> MODULES = List.of("core", "observability", "resilience", "discovery", "messaging",
            "openapi", "testing");
    private static final String SHARED = "dev.chassis.core.internal.shared..";

    /** No module uses another module's internals, except core's shared internals. */
    static List<ArchRule> internalsStayInTheirModule() {
        return MODULES.stream().map(module -> noClasses().that()
                        .resideOutsideOfPackage("dev.chassis." + module + "..")
                        .should().dependOnClassesThat(resideInAPackage("dev.chassis." + module + "..internal..")
                                .and(not(resideInAPackage(SHARED))))
                        .allowEmptyShould(true)
                        .because("docs/architecture.md, rule 3: no module uses another's internals; what Chassis modules"
                                + " share lives in " + SHARED))
                .<ArchRule>map(rule -> rule)
                .toList();
    }

    /** Only Chassis' own modules may use the shared internals: they are not API. */
    static ArchRule onlyChassisUsesTheSharedInternals() {
        return noClasses().that().resideOutsideOfPackage("dev.chassis..")
                .should().dependOnClassesThat().resideInAPackage(SHARED)
                .allowEmptyShould(true)
                .because("docs/architecture.md, rule 4: the shared internals are not API; they may change in any release");
    }

    @Test
    void noModuleUsesAnotherModulesInternals() {
        internalsStayInTheirModule().forEach(rule -> rule.check(classes));
        onlyChassisUsesTheSharedInternals().check(classes);
        // the exception is in use, so the rules above do see classes that depend on the shared internals
        assertThat(classes.get("dev.chassis.messaging.internal.Dispatcher").getDirectDependenciesFromSelf())
                .anyMatch(d -> d.getTargetClass().getPackageName().equals("dev.chassis.core.internal.shared"));
    }

    @Test
    void theInternalsRulesCanFail() {
        JavaClasses fixtures = new ClassFileImporter().importClasses(UsesSharedInternals.class,
                SiblingInternals.UsesShared.class, SiblingInternals.UsesCoreHttpInternals.class);
        EvaluationResult outsider = onlyChassisUsesTheSharedInternals().evaluate(fixtures);
        assertThat(outsider.hasViolation()).as("a user's class using the shared internals").isTrue();
        assertThat(outsider.getFailureReport().getDetails())
                .anyMatch(d -> d.contains(UsesSharedInternals.class.getName()))
                .noneMatch(d -> d.contains(SiblingInternals.class.getName()));
        List<String> details = internalsStayInTheirModule().stream().map(r -> r.evaluate(fixtures))
                .flatMap(r -> r.getFailureReport().getDetails().stream()).toList();
        assertThat(details).as("a module using core's HTTP internals").anyMatch(d -> d.contains("UsesCoreHttpInternals"))
                .as("a module using only the shared internals").noneMatch(d -> d.contains("$UsesShared"));
    }

    @Test
    void siblingsDoNotDependOnEachOther() {
        for (String a : SIBLINGS) {
            for (String b : SIBLINGS) {
                if (!a.equals(b)) {
                    noClasses().that().resideInAPackage("dev.chassis." + a + "..")
                            .should().dependOnClassesThat().resideInAPackage("dev.chassis." + b + "..")
                            .allowEmptyShould(true)
                            .because("docs/architecture.md, the module graph: siblings meet only in core")
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
                .should().dependOnClassesThat(resideInAPackage("dev.chassis.core..internal..")
                        .and(not(resideInAPackage(SHARED))))
                .because("docs/architecture.md, rule 2: API and SPI types are what users compile against; only the two entry"
                        + " points (the service builder and"
                        + " the stand-alone client factory) hand over to the runtime; shared mechanics (naming) may be"
                        + " used inside")
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
