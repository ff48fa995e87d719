package dev.chassis.samples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.server.CoreSettings;
import dev.chassis.core.spi.ChassisExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The shop's deployment files, checked without a cluster or Docker (neither runs here): the Kubernetes manifests
 * parse into the Kubernetes model and hang together (probes on the standard endpoints, Services and autoscalers
 * pointing at Deployments, ConfigMaps that exist); the Dockerfiles copy what the build produces and start a main
 * class that exists; docker-compose runs the three services next to Kafka, PostgreSQL and a trace viewer.
 */
class DeploymentFilesTest {
    private static final Path SHOP = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> SERVICES = List.of("inventory", "orders", "notifications");

    /** The archetype's manifest: the generated service's, checked here with the shop's (its placeholders filled in). */
    private static final Path ARCHETYPE_MANIFEST = SHOP.resolve(
            "../../starters/archetype/src/main/resources/archetype-resources/k8s/deployment.yaml").normalize();

    private static List<HasMetadata> manifests() throws Exception {
        return parse(Files.readString(SHOP.resolve("deploy/kubernetes/shop.yaml")));
    }

    private static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
                out.add(Serialization.unmarshal(doc, HasMetadata.class));
            }
        }
        return out;
    }

    private static int port(String service) throws Exception {
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(
                SHOP.resolve(service + "/src/main/resources/application.yaml").toFile());
        return config.path("server").path("port").asInt();
    }

    @Test
    void theKubernetesManifestsAreValidObjectsThatHangTogether() throws Exception {
        List<HasMetadata> all = manifests();
        assertThat(all).noneMatch(o -> o instanceof GenericKubernetesResource).hasSize(12);
        Map<String, Deployment> deployments = new HashMap<>();
        Map<String, ConfigMap> configMaps = new HashMap<>();
        all.forEach(o -> {
            if (o instanceof Deployment d) {
                deployments.put(d.getMetadata().getName(), d);
            } else if (o instanceof ConfigMap c) {
                configMaps.put(c.getMetadata().getName(), c);
            }
        });
        assertThat(deployments).containsOnlyKeys(SERVICES);
        for (Deployment d : deployments.values()) {
            String name = d.getMetadata().getName();
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getPorts()).anySatisfy(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).as("%s's port", name).isEqualTo(port(name));
            });
            assertProbesAndScrapingOnTheManagementPort(d, Integer.parseInt(configMaps.get("shop-common").getData()
                    .get("MANAGEMENT_PORT")));
            for (EnvFromSource from : c.getEnvFrom()) {
                assertThat(configMaps).as("%s reads ConfigMap %s", name, from.getConfigMapRef().getName())
                        .containsKey(from.getConfigMapRef().getName());
            }
            assertThat(c.getResources().getLimits()).containsKey("memory");
        }
        for (HasMetadata o : all) {
            if (o instanceof Service s) {
                Deployment target = deployments.get(s.getMetadata().getName());
                assertThat(target).as("a Deployment behind Service %s", s.getMetadata().getName()).isNotNull();
                assertThat(target.getSpec().getTemplate().getMetadata().getLabels())
                        .containsAllEntriesOf(s.getSpec().getSelector());
                assertThat(s.getSpec().getPorts()).as("Service %s exposes the business port only",
                        s.getMetadata().getName()).allSatisfy(p -> assertThat(p.getTargetPort().getStrVal())
                        .isEqualTo("http"));
            } else if (o instanceof HorizontalPodAutoscaler h) {
                assertThat(deployments).containsKey(h.getSpec().getScaleTargetRef().getName());
                assertThat(h.getSpec().getMinReplicas()).isLessThanOrEqualTo(h.getSpec().getMaxReplicas());
            }
        }
    }

    /**
     * The probes ask the management port (named {@code management}, the port {@code MANAGEMENT_PORT} sets) for the
     * standard health endpoints, and the prometheus.io annotations scrape {@code /metrics} there.
     */
    private static void assertProbesAndScrapingOnTheManagementPort(Deployment d, int managementPort) {
        String name = d.getMetadata().getName();
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getPorts()).as("%s's ports", name).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("management");
            assertThat(p.getContainerPort()).isEqualTo(managementPort);
        });
        for (Object[] probe : new Object[][] {{c.getStartupProbe(), "/health/started"},
                {c.getReadinessProbe(), "/health/ready"}, {c.getLivenessProbe(), "/health/live"}}) {
            Probe p = (Probe) probe[0];
            assertThat(p).as("%s: a probe on %s", name, probe[1]).isNotNull();
            assertThat(p.getHttpGet().getPath()).isEqualTo(probe[1]);
            assertThat(p.getHttpGet().getPort().getStrVal()).as("%s: the port %s is probed on", name, probe[1])
                    .isEqualTo("management");
        }
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).as("%s: scraped by Prometheus", name)
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", Integer.toString(managementPort))
                .containsEntry("prometheus.io/path", "/metrics");
    }

    @Test
    void theArchetypesManifestProbesAndScrapesTheManagementPort() throws Exception {
        String yaml = Files.readString(ARCHETYPE_MANIFEST).replace("${serviceName}", "greeter")
                .replace("${artifactId}", "greeter").replace("${version}", "1.0.0");
        List<HasMetadata> all = parse(yaml);
        Deployment d = all.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst()
                .orElseThrow();
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        String port = c.getEnv().stream().filter(e -> e.getName().equals("MANAGEMENT_PORT")).findFirst().orElseThrow()
                .getValue();
        assertProbesAndScrapingOnTheManagementPort(d, Integer.parseInt(port));
        assertSettings("the archetype's Deployment", c.getEnv().stream().map(e -> e.getName()).toList());
        assertThat(all).filteredOn(Service.class::isInstance).singleElement().satisfies(s -> assertThat(((Service) s)
                .getSpec().getPorts()).allSatisfy(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http")));
    }

    /** Environment variable names of every setting Chassis and its extensions on this class path declare. */
    private static List<Pattern> settingNames() {
        List<Setting<?>> settings = new ArrayList<>(
                CoreSettings.all());
        ServiceLoader.load(ChassisExtension.class)
                .forEach(e -> settings.addAll(e.settings()));
        return settings.stream().map(st -> Pattern.compile(
                Setting.environmentName(st.key()).replace("*", "[A-Z0-9_]+"))).toList();
    }

    private static void assertSettings(String where, Iterable<String> names) {
        List<Pattern> known = settingNames();
        for (String name : names) {
            assertThat(known.stream().anyMatch(p -> p.matcher(name).matches()))
                    .as("%s: %s is not a Chassis setting (a typo would be ignored silently)", where, name).isTrue();
        }
    }

    @Test
    void everyEnvironmentVariableIsAChassisSetting() throws Exception {
        for (HasMetadata o : manifests()) {
            if (o instanceof ConfigMap c) {
                assertSettings("ConfigMap " + c.getMetadata().getName(), c.getData().keySet());
            } else if (o instanceof Deployment d) {
                assertSettings("Deployment " + d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()
                        .getContainers().get(0).getEnv().stream().map(e -> e.getName()).toList());
            }
        }
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(SHOP.resolve("docker-compose.yml").toFile())
                .path("services");
        for (String s : SERVICES) {
            List<String> names = new ArrayList<>();
            services.path(s).path("environment").fieldNames().forEachRemaining(names::add);
            assertSettings("compose " + s, names);
        }
        // the check itself can fail
        Assertions.assertThatThrownBy(() -> assertSettings("test", List.of("MESAGING_BROKER")))
                .hasMessageContaining("MESAGING_BROKER is not a Chassis setting");
    }

    /**
     * Each issuer a service's application.yaml names gets its URL from the manifests (application.yaml's points at a
     * local provider), and so does each client-credentials target, whose client secret comes from a Secret.
     */
    @Test
    void theManifestsPointEachServiceAtTheIssuerAndTakeClientSecretsFromSecrets() throws Exception {
        List<HasMetadata> all = manifests();
        Map<String, ConfigMap> configMaps = new HashMap<>();
        all.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .forEach(c -> configMaps.put(c.getMetadata().getName(), c));
        int issuers = 0;
        for (Deployment d : all.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList()) {
            String name = d.getMetadata().getName();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            Map<String, EnvVar> env = new HashMap<>();
            c.getEnv().forEach(e -> env.put(e.getName(), e));
            Set<String> fromConfigMaps = new HashSet<>();
            c.getEnvFrom().forEach(f -> fromConfigMaps.addAll(configMaps.get(f.getConfigMapRef().getName()).getData()
                    .keySet()));
            JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(
                    SHOP.resolve(name + "/src/main/resources/application.yaml").toFile());
            for (String issuer : (Iterable<String>) () -> config.path("security").path("issuers").fieldNames()) {
                issuers++;
                assertThat(fromConfigMaps).as("%s: the issuer %s's URL", name, issuer)
                        .contains(Setting.environmentName("security.issuers." + issuer + ".issuer"));
            }
            JsonNode clients = config.path("clients");
            for (String target : (Iterable<String>) clients::fieldNames) {
                if (!clients.path(target).path("credentials").asText().equals("client-credentials")) {
                    continue;
                }
                String prefix = "clients." + target + ".client-credentials.";
                assertThat(fromConfigMaps).as("%s: the token issuer for %s", name, target)
                        .contains(Setting.environmentName(prefix + "issuer"));
                EnvVar secret = env.get(Setting.environmentName(prefix + "client-secret"));
                assertThat(secret).as("%s: the client secret for %s", name, target).isNotNull();
                assertThat(secret.getValueFrom().getSecretKeyRef()).as("%s: the client secret from a Secret", name)
                        .isNotNull();
            }
        }
        // orders and inventory verify tokens; notifications declares the shared issuer only so that its audience is set
        assertThat(issuers).as("each service trusts the shop's issuer").isEqualTo(3);
    }

    @Test
    void eachDockerfileCopiesWhatTheBuildMakesAndStartsAMainThatExists() throws Exception {
        for (String service : SERVICES) {
            Path dir = SHOP.resolve(service);
            List<String> lines = Files.readAllLines(dir.resolve("Dockerfile"));
            for (String line : lines) {
                if (line.startsWith("COPY ")) {
                    String source = line.split("\\s+")[1];
                    if (source.endsWith("-cyclonedx.json") && "offline=true".equals(System.getProperty("maven.offline"))) {
                        continue; // an offline build (-o) skips the SBOM plugin
                    }
                    assertThat(dir.resolve(source)).as("%s: COPY %s (built by the package phase)", service, source)
                            .exists();
                }
                if (line.startsWith("EXPOSE ")) {
                    assertThat(Integer.parseInt(line.substring(7).strip())).isEqualTo(port(service));
                }
                if (line.startsWith("ENTRYPOINT ")) {
                    JsonNode entry = new ObjectMapper().readTree(line.substring("ENTRYPOINT ".length()));
                    String main = entry.get(entry.size() - 1).asText();
                    Method m = Class.forName(main).getMethod("main", String[].class);
                    assertThat(Modifier.isStatic(m.getModifiers())).as("%s: static %s", service, m).isTrue();
                    assertThat(m.getReturnType()).isEqualTo(void.class);
                    // the AOT cache: trained in the image for this main, used through java-aot while it fits
                    assertThat(entry.get(0).asText()).as("%s starts through java-aot", service).isEqualTo("/app/java-aot");
                    assertThat(String.join("\n", lines)).as("%s trains its AOT cache in the image", service)
                            .containsPattern("RUN java -cp '/app/lib/\\*' dev\\.chassis\\.launcher\\.AotTraining --dir /app [^\\n]*\\\\\n"
                                    + "[^\\n]* -- [^\\n]*" + main.replace(".", "\\.") + "\n");
                }
            }
            assertThat(Files.list(dir.resolve("target/lib")).count()).as("%s's target/lib", service).isGreaterThan(10);
            // the image carries its SBOM (CycloneDX JSON, written by the package phase: its COPY was checked above)
            assertThat(lines).as("%s's Dockerfile copies its SBOM", service)
                    .anyMatch(l -> l.matches("COPY target/shop-" + service + "-.*-cyclonedx\\.json /app/sbom\\.cyclonedx\\.json"));
        }
    }

    @Test
    void composeRunsTheServicesWithKafkaPostgresAndATraceViewer() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(SHOP.resolve("docker-compose.yml").toFile());
        JsonNode services = compose.path("services");
        for (String s : List.of("kafka", "postgres", "jaeger", "inventory", "orders", "notifications")) {
            assertThat(services.has(s)).as("compose service %s", s).isTrue();
        }
        for (String s : SERVICES) {
            assertThat(SHOP.resolve(services.path(s).path("build").asText()).resolve("Dockerfile")).exists();
            assertThat(services.path(s).path("environment").path("MESSAGING_BROKER").asText()).isEqualTo("kafka");
            assertThat(services.path(s).path("ports").get(0).asText()).startsWith(port(s) + ":");
        }
        assertThat(services.path("orders").path("environment").path("DATASOURCE_URL").asText())
                .startsWith("jdbc:postgresql://postgres:5432/");
        assertThat(Objects.requireNonNull(services.path("orders").path("environment").path("CLIENTS_INVENTORY_URL")
                .asText())).isEqualTo("http://inventory:" + port("inventory"));
    }

    /** Every setting Chassis and its extensions on this class path declare, by key. */
    private static Map<String, Setting<?>> settingsByKey() {
        Map<String, Setting<?>> byKey = new HashMap<>();
        CoreSettings.all().forEach(st -> byKey.put(st.key(), st));
        ServiceLoader.load(ChassisExtension.class).forEach(e -> e.settings().forEach(st -> byKey.put(st.key(), st)));
        return byKey;
    }

    /** A duration setting's value: from the environment when set there, else its default. */
    private static Duration duration(Map<String, String> env, String key) {
        Setting<?> setting = settingsByKey().get(key);
        assertThat(setting).as("the setting %s", key).isNotNull();
        String raw = env.get(Setting.environmentName(key));
        return (Duration) (raw == null ? setting.defaultValue() : setting.parse(raw));
    }

    /**
     * Production mode with explicit back-ends: the profile is set, nothing is allowed by a production.allow.* key, and
     * each default production mode refuses is configured away (Kafka, a real database where the service has one, the
     * management port for the trace store, gRPC reflection and TLS); the shutdown's steps fit the grace period, which
     * is the pod's terminationGracePeriodSeconds.
     */
    private static void assertProductionReady(String where, Deployment d, Map<String, String> env, boolean database) {
        assertThat(env).as("%s: production mode", where).containsEntry("CHASSIS_PROFILE", "production");
        assertThat(env.keySet()).as("%s: nothing development-only allowed", where)
                .noneMatch(k -> k.startsWith("PRODUCTION_ALLOW_"));
        assertThat(env).as("%s: Kafka, not the in-memory broker", where).containsEntry("MESSAGING_BROKER", "kafka")
                .containsKey("MESSAGING_KAFKA_BOOTSTRAP_SERVERS");
        assertThat(env).as("%s: the management port (trace store, gRPC reflection, TLS)", where)
                .containsKey("MANAGEMENT_PORT");
        if (database) {
            assertThat(env.get("DATASOURCE_URL")).as("%s: a real database", where).isNotNull()
                    .doesNotStartWith("jdbc:h2:mem:");
        }
        Duration grace = duration(env, "server.shutdown.grace-period");
        assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("%s: terminationGracePeriodSeconds is server.shutdown.grace-period", where)
                .isEqualTo(grace.toSeconds());
        Duration steps = duration(env, "server.shutdown.delay").plus(duration(env, "server.shutdown.timeout"))
                .plus(duration(env, "messaging.shutdown-timeout"));
        assertThat(steps).as("%s: the shutdown's steps fit the grace period", where).isLessThanOrEqualTo(grace);
    }

    @Test
    void theShopsManifestsRunInProductionModeWithExplicitBackEnds() throws Exception {
        List<HasMetadata> all = manifests();
        Map<String, ConfigMap> configMaps = new HashMap<>();
        all.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .forEach(c -> configMaps.put(c.getMetadata().getName(), c));
        for (Deployment d : all.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList()) {
            String name = d.getMetadata().getName();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            Map<String, String> env = new HashMap<>();
            c.getEnvFrom().forEach(f -> env.putAll(configMaps.get(f.getConfigMapRef().getName()).getData()));
            c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
            boolean database = Files.readString(SHOP.resolve(name + "/pom.xml")).contains("chassis-starter-jdbc");
            assertProductionReady("Deployment " + name, d, env, database);
        }
    }

    @Test
    void theArchetypesManifestRunsInProductionModeWithExplicitBackEnds() throws Exception {
        String yaml = Files.readString(ARCHETYPE_MANIFEST).replace("${serviceName}", "greeter")
                .replace("${artifactId}", "greeter").replace("${version}", "1.0.0");
        Deployment d = parse(yaml).stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        Map<String, String> env = new HashMap<>();
        d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream().filter(e -> e.getValue() != null)
                .forEach(e -> env.put(e.getName(), e.getValue()));
        assertProductionReady("the archetype's Deployment", d, env, false);
    }

    @Test
    void theProductionCheckItselfCanFail() throws Exception {
        Deployment d = manifests().stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        Map<String, String> env = new HashMap<>(Map.of("CHASSIS_PROFILE", "production", "MESSAGING_BROKER", "kafka",
                "MESSAGING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "MANAGEMENT_PORT", "9090",
                "SERVER_SHUTDOWN_GRACE_PERIOD", "40s", "SERVER_SHUTDOWN_TIMEOUT", "31s"));
        Assertions.assertThatThrownBy(() -> assertProductionReady("test", d, env, false))
                .hasMessageContaining("the shutdown's steps fit the grace period");
        env.remove("MESSAGING_BROKER");
        Assertions.assertThatThrownBy(() -> assertProductionReady("test", d, env, false))
                .hasMessageContaining("Kafka, not the in-memory broker");
    }
}
