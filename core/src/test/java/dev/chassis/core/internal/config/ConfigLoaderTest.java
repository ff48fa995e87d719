package dev.chassis.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.server.CoreSettings;

/**
 * Layered configuration. The classpath is a real directory of YAML files behind a class loader; the
 * environment and system properties are passed in as maps, since a test cannot change its own
 * process environment.
 */
class ConfigLoaderTest {
    private static final Setting<String> A = Setting.string("server.a", "default");
    private static final List<Setting<?>> DECLARED = declared();

    @TempDir
    Path dir;

    @Test
    void laterSourcesWin() throws IOException {
        write("application.yaml", "server:\n  a: yaml\n  port: 8081\nchassis.profile: dev\n");
        write("application-dev.yaml", "server.a: profile\n");
        assertThat(load(Map.of(), new Properties(), Map.of()).get(A)).isEqualTo("profile");
        assertThat(load(Map.of("SERVER_A", "env"), new Properties(), Map.of()).get(A)).isEqualTo("env");
        Properties sys = new Properties();
        sys.setProperty("server.a", "sysprop");
        assertThat(load(Map.of("SERVER_A", "env"), sys, Map.of()).get(A)).isEqualTo("sysprop");
        LayeredConfig all = load(Map.of("SERVER_A", "env"), sys, Map.of("server.a", "code"));
        assertThat(all.get(A)).isEqualTo("code");
        assertThat(all.sourceOf("server.a")).contains("code (Chassis service builder)");
        assertThat(all.get(CoreSettings.PORT)).isEqualTo(8081);
        assertThat(all.sourceOf("server.port")).contains("classpath:application.yaml");
        assertThat(all.profile()).contains("dev");
    }

    @Test
    void defaultsApplyWhenNoSourceSetsAKey() {
        LayeredConfig c = load(Map.of(), new Properties(), Map.of());
        assertThat(c.get(A)).isEqualTo("default");
        assertThat(c.get(CoreSettings.PORT)).isEqualTo(8080);
        assertThat(c.get(CoreSettings.MAX_BODY)).isEqualTo(10L * 1024 * 1024);
        assertThat(c.get(CoreSettings.HEADER_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.sourceOf("server.port")).isEmpty();
    }

    @Test
    void environmentNamesMapDotsAndDashesToUnderscores() {
        LayeredConfig c = load(Map.of("SERVER_MAX_BODY_SIZE", "2MiB", "SERVER_HEADER_TIMEOUT", "1500ms"), new Properties(),
                Map.of());
        assertThat(c.get(CoreSettings.MAX_BODY)).isEqualTo(2L * 1024 * 1024);
        assertThat(c.get(CoreSettings.HEADER_TIMEOUT)).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void wrongTypeNamesKeyValueSourceAndWhatIsAllowed() throws IOException {
        write("application.yaml", "server:\n  port: eighty\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid configuration: server.port = 'eighty' (from classpath:application.yaml) is not allowed:"
                        + " expected a whole number between 0 and 65535");
    }

    @Test
    void outOfRangeFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> load(Map.of("SERVER_PORT", "70000"), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port = '70000' (from environment variable SERVER_PORT)")
                .hasMessageContaining("between 0 and 65535");
    }

    @Test
    void unknownKeyUnderAChassisPrefixFailsWithASuggestion() throws IOException {
        write("application.yaml", "server:\n  prot: 8080\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key server.prot (from classpath:application.yaml)")
                .hasMessageContaining("Did you mean server.port?")
                .hasMessageContaining("Known keys under 'server': ");
    }

    @Test
    void aTypoUnderAMapShapedKeyIsSuggestedWithTheGivenName() throws IOException {
        write("application.yaml", "clients:\n  catalog:\n    url: http://localhost:1\n    request-timout: 2s\n"
                + "    outlier:\n      consecutive-failure: 3\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key clients.catalog.request-timout (from classpath:application.yaml)."
                        + " Did you mean clients.catalog.request-timeout?")
                .hasMessageContaining("unknown key clients.catalog.outlier.consecutive-failure (from"
                        + " classpath:application.yaml). Did you mean clients.catalog.outlier.consecutive-failures?");
    }

    @Test
    void aKeyCloseToNothingGetsNoSuggestion() throws IOException {
        write("application.yaml", "clients:\n  catalog:\n    something-else-entirely: 2s\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key clients.catalog.something-else-entirely")
                .hasMessageNotContaining("Did you mean");
    }

    @Test
    void closestNamesTheNearestKnownNameOnlyWhenItIsNear() {
        assertThat(ConfigException.closest("OrderApi.creat", List.of("OrderApi.create", "OrderApi.get")))
                .contains("OrderApi.create");
        assertThat(ConfigException.closest("Billing.charge", List.of("OrderApi.create"))).isEmpty();
        assertThat(ConfigException.didYouMean("catalgo", List.of("catalog"))).isEqualTo(" Did you mean catalog?");
        assertThat(ConfigException.didYouMean("x", List.of())).isEmpty();
    }

    @Test
    void unknownSystemPropertyUnderAChassisPrefixFails() {
        Properties sys = new Properties();
        sys.setProperty("server.shutdown.delayy", "1s");
        assertThatThrownBy(() -> load(Map.of(), sys, Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key server.shutdown.delayy (from system property)");
    }

    @Test
    void keysOutsideChassisPrefixesAreTheApplicationsBusiness() throws IOException {
        write("application.yaml", "myapp:\n  anything: goes\n");
        LayeredConfig c = load(Map.of(), new Properties(), Map.of());
        c.validate(DECLARED);
        assertThat(c.raw("myapp.anything")).contains("goes");
    }

    @Test
    void anEnvironmentTypoUnderAChassisPrefixFailsNamingTheVariableWithASuggestion() {
        assertThatThrownBy(() -> load(Map.of("SERVER_PROT", "8080"), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(1))
                .hasMessageContaining("unknown environment variable SERVER_PROT: it is named like a Chassis key but no"
                        + " declared setting reads it. Did you mean SERVER_PORT (server.port)?")
                .hasMessageContaining("list it in chassis.ignore-env");
    }

    @Test
    void anEnvironmentTypoUnderAMapShapedKeyIsSuggestedWithTheGivenName() {
        assertThatThrownBy(() -> load(Map.of("CLIENTS_CATALOG_REQUEST_TIMOUT", "2s"), new Properties(), Map.of())
                .validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable CLIENTS_CATALOG_REQUEST_TIMOUT")
                .hasMessageContaining("Did you mean CLIENTS_CATALOG_REQUEST_TIMEOUT (clients.catalog.request-timeout)?");
    }

    @Test
    void environmentVariablesThatAreDeclaredKeysPass() {
        LayeredConfig c = load(Map.of("SERVER_PORT", "8081", "SERVER_MAX_BODY_SIZE", "2MiB", "CLIENTS_CATALOG_URL",
                "http://catalog:8080", "CLIENTS_MY_SHOP_REQUEST_TIMEOUT", "3s", "CHASSIS_EXTENSIONS_HEALTH_ENABLED", "true",
                "SERVER_A", "x"), new Properties(), Map.of());
        c.validate(DECLARED);
        assertThat(c.get(CoreSettings.PORT)).isEqualTo(8081);
        assertThat(c.get(CoreSettings.CLIENT_REQUEST_TIMEOUT.resolve("my-shop"))).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void environmentVariablesOutsideChassisPrefixesOrIgnoredPass() {
        Map<String, String> env = Map.of("SERVER_SOFTWARE", "Apache", "LEGACY_SERVER_X", "1", "SERVER_LEGACY_TOKEN", "t",
                "CHASSIS_IGNORE_ENV", "SERVER_SOFTWARE, SERVER_LEGACY_*", "HOME", "/root", "PATH", "/bin",
                "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "/etc/roots.pem", "GRPC_TRACE", "all");
        load(env, new Properties(), Map.of()).validate(DECLARED);
        // the same list from a file
        Map<String, String> fromFile = Map.of("SERVER_SOFTWARE", "Apache");
        load(fromFile, new Properties(), Map.of("chassis.ignore-env", "SERVER_SOFTWARE")).validate(DECLARED);
        assertThatThrownBy(() -> load(fromFile, new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable SERVER_SOFTWARE")
                .hasMessageNotContaining("Did you mean");
    }

    @Test
    void kubernetesServiceLinksPass() {
        Map<String, String> env = Map.of("MESSAGING_SERVICE_HOST", "10.0.0.7", "MESSAGING_SERVICE_PORT", "9092",
                "MESSAGING_SERVICE_PORT_KAFKA", "9092", "MESSAGING_PORT", "tcp://10.0.0.7:9092",
                "MESSAGING_PORT_9092_TCP", "tcp://10.0.0.7:9092", "MESSAGING_PORT_9092_TCP_PROTO", "tcp",
                "MESSAGING_PORT_9092_TCP_ADDR", "10.0.0.7", "MESSAGING_PORT_9092_TCP_PORT", "9092");
        List<Setting<?>> declared = new ArrayList<>(DECLARED);
        declared.add(Setting.string("messaging.broker", "memory"));
        load(env, new Properties(), Map.of()).validate(declared);
        assertThatThrownBy(() -> load(Map.of("MESSAGING_PORT", "9092"), new Properties(), Map.of()).validate(declared))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable MESSAGING_PORT");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        write("application.yaml", "server:\n  port: x\n  max-body-size: 10 parsecs\n  bogus: 1\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("3 problems");
    }

    @Test
    void wildcardKeysAreCheckedForEachName() throws IOException {
        write("application.yaml", "chassis:\n  extensions:\n    health:\n      enabled: maybe\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()).validate(DECLARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("chassis.extensions.health.enabled = 'maybe'")
                .hasMessageContaining("true or false");
    }

    @Test
    void namesListsTheSegmentsBelowAPrefix() throws IOException {
        write("application.yaml", "clients:\n  inventory:\n    timeout: 1s\n  payments:\n    timeout: 2s\n");
        assertThat(load(Map.of(), new Properties(), Map.of()).names("clients")).containsExactly("inventory", "payments");
    }

    @Test
    void yamlListsBecomeListValues() throws IOException {
        write("application.yaml", "server:\n  hosts: [a, b , c]\n");
        Setting<List<String>> hosts = Setting.list("server.hosts", List.of());
        assertThat(load(Map.of(), new Properties(), Map.of()).get(hosts)).containsExactly("a", "b", "c");
        assertThat(load(Map.of("SERVER_HOSTS", "x,y"), new Properties(), Map.of()).get(hosts)).containsExactly("x", "y");
    }

    @Test
    void missingProfileFileFails() {
        assertThatThrownBy(() -> load(Map.of("CHASSIS_PROFILE", "prod"), new Properties(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("chassis.profile = 'prod' but there is no application-prod.yaml on the classpath");
    }

    @Test
    void badProfileNameFails() {
        assertThatThrownBy(() -> load(Map.of("CHASSIS_PROFILE", "../etc"), new Properties(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("chassis.profile = '../etc' is not allowed");
    }

    @Test
    void invalidYamlFailsNamingTheFile() throws IOException {
        write("application.yaml", "server:\n  port: [unclosed\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("classpath:application.yaml is not valid YAML");
    }

    @Test
    void aSecretOnABrokenYamlLineIsNeverShown() throws IOException {
        // each is a different parser error on the line that holds the secret
        for (String line : List.of("keystore-password: Hunter2-Yaml: more", "keystore-password: \"Hunter2-Yaml",
                "keystore-password: [Hunter2-Yaml", "keystore-password: Hunter2-Yaml\n     bad: indent",
                "keystore-password: Hunter2-Yaml\t\"x\": {")) {
            write("application.yaml", "tls:\n  bundles:\n    edge:\n      " + line + "\n");
            assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of())).as(line)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("classpath:application.yaml is not valid YAML")
                    .hasMessageNotContaining("Hunter2");
        }
    }

    @Test
    void aSecretFromTheEnvironmentIsNeverShown() {
        Setting<Integer> pin = Setting.integer("server.pin", null).range(0, 9999).secret();
        List<Setting<?>> declared = new ArrayList<>(DECLARED);
        declared.add(pin);
        LayeredConfig bad = load(Map.of("SERVER_PIN", "Hunter2-Env"), new Properties(), Map.of());
        assertThatThrownBy(() -> bad.validate(declared)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.pin = '" + Setting.MASK + "' (from environment")
                .hasMessageNotContaining("Hunter2");
        // a mistyped variable is named; its value is not (it may be a secret whose name is misspelt)
        LayeredConfig typo = load(Map.of("TLS_BUNDLES_EDGE_KEYSTORE_PASWORD", "Hunter2-Env"), new Properties(), Map.of());
        assertThatThrownBy(() -> typo.validate(declared)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable TLS_BUNDLES_EDGE_KEYSTORE_PASWORD")
                .hasMessageNotContaining("Hunter2");
    }

    @Test
    void yamlWhoseTopLevelIsNotAMappingFails() throws IOException {
        write("application.yaml", "- just\n- a list\n");
        assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must hold a mapping");
    }

    private LayeredConfig load(Map<String, String> env, Properties sys, Map<String, String> code) {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            return ConfigLoader.load(loader, env, sys, code);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    private static List<Setting<?>> declared() {
        List<Setting<?>> all = new ArrayList<>(CoreSettings.all());
        all.add(A);
        all.add(Setting.list("server.hosts", List.of()));
        return all;
    }
}
