package dev.chassis.tests.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.chassis.core.config.Setting;

/**
 * The key tables of {@code docs/configuration.md} are the declared settings of every module, in both directions.
 * Run with {@code -Dchassis.docs.write=true} to regenerate them:
 * {@code ./mvnw -o -q -B verify -pl tests -am -Dtest=ConfigurationDocTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dchassis.docs.write=true}. Runs in its own Surefire execution, the only one with every module on the class path
 * (which sets {@code test.docs-classpath}); the default execution, where {@code -Dtest} may select it too,
 * leaves it out.
 */
@EnabledIfSystemProperty(named = "test.docs-classpath", matches = "all-modules")
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void everyModuleIsOnThisClassPath() {
        assertThat(KeyTables.declared().keySet())
                .contains("core", "resilience", "observability", "messaging", "jdbc", "discovery", "security");
        List<String> keys = KeyTables.declared().values().stream().flatMap(List::stream).map(Setting::key).toList();
        assertThat(keys).as("the Kafka, etcd and Kubernetes back-ends' keys")
                .contains("messaging.kafka.bootstrap-servers", "discovery.etcd.endpoints", "discovery.kubernetes.namespace");
    }

    @Test
    void everyDeclaredSettingHasADescription() {
        List<String> undescribed = new ArrayList<>();
        KeyTables.declared().forEach((group, settings) -> settings.stream()
                .filter(s -> s.description() == null || s.description().isBlank())
                .forEach(s -> undescribed.add(group + ": " + s.key())));
        assertThat(undescribed).as("settings without describedAs(...)").isEmpty();
    }

    @Test
    void everyPasswordLikeSettingIsSecret() {
        List<String> shown = new ArrayList<>();
        KeyTables.declared().values().forEach(settings -> settings.stream()
                .filter(s -> s.key().matches(".*(password|passphrase|secret|token|jaas-config)$") && !s.isSecret())
                .forEach(s -> shown.add(s.key())));
        assertThat(shown).as("settings whose values must never be printed, declared without secret()").isEmpty();
    }

    @Test
    void everyKeyIsDeclaredOnce() {
        Set<String> seen = new TreeSet<>();
        List<String> twice = new ArrayList<>();
        KeyTables.declared().values().forEach(settings -> settings.forEach(s -> {
            if (!seen.add(s.key())) {
                twice.add(s.key());
            }
        }));
        assertThat(twice).isEmpty();
    }

    @Test
    void keyTablesMatchTheDeclaredSettings() throws IOException {
        String document = Files.readString(DOC, StandardCharsets.UTF_8);
        Map<String, List<Setting<?>>> declared = KeyTables.declared();
        if (Boolean.getBoolean("chassis.docs.write")) {
            document = KeyTables.rewrite(document, declared);
            Files.writeString(DOC, document, StandardCharsets.UTF_8);
        }
        List<String> diff = diff(declared, KeyTables.parse(document));
        diff.addAll(KeyTables.strayRows(document).stream().map(r -> "a key row outside the generated tables: " + r)
                .toList());
        if (!diff.isEmpty()) {
            fail(DOC.normalize() + " differs from the declared settings (" + diff.size() + "):\n  "
                    + String.join("\n  ", diff) + "\nRegenerate it with -Dchassis.docs.write=true (see this test's javadoc).");
        }
    }

    @Test
    void aDifferenceIsReportedPreciselyInBothDirections() {
        Setting<Integer> port = Setting.integer("x.port", 1).describedAs("the port");
        Setting<Integer> size = Setting.integer("x.size", 2).describedAs("the size");
        String doc = "<!-- keys:x -->\n" + KeyTables.HEADER
                + "| `x.port` | `8` | a whole number | the port |\n"
                + "| `x.gone` | none | text | removed long ago |\n"
                + "<!-- /keys:x -->\n| `x.stray` | none | text | outside |\n";
        assertThat(diff(Map.of("x", List.of(port, size)), KeyTables.parse(doc))).containsExactly(
                "x: x.port: default is `1` in the code, `8` in the doc",
                "x: x.size is declared but not in the doc",
                "x: x.gone is in the doc but not declared");
        assertThat(KeyTables.strayRows(doc)).containsExactly("| `x.stray` | none | text | outside |");
        Setting<String> odd = Setting.string("x.odd", null).describedAs("a | b, in <name>.yaml");
        assertThat(KeyTables.rows(List.of(odd)).get(0).render()).endsWith("| a \\| b, in \\<name>.yaml |");
        assertThat(KeyTables.parse("<!-- keys:x -->\n" + KeyTables.table(List.of(odd)) + "<!-- /keys:x -->").get("x"))
                .containsExactlyElementsOf(KeyTables.rows(List.of(odd)));
        assertThat(KeyTables.parse(KeyTables.rewrite(doc, Map.of("x", List.of(port, size)))).get("x"))
                .containsExactlyElementsOf(KeyTables.rows(List.of(port, size)));
    }

    @Test
    void mapShapedKeysShowTheirPlaceholders() {
        assertThat(KeyTables.placeholders("clients.*.retry.max-attempts")).isEqualTo("clients.<target>.retry.max-attempts");
        assertThat(KeyTables.placeholders("handlers.*.*.time-limit")).isEqualTo("handlers.<class>.<method>.time-limit");
        assertThat(KeyTables.placeholders("consumers.*.*.backoff")).isEqualTo("consumers.<class>.<method>.backoff");
        assertThat(KeyTables.placeholders("chassis.extensions.*.enabled")).isEqualTo("chassis.extensions.<name>.enabled");
    }

    private static List<String> diff(Map<String, List<Setting<?>>> declared, Map<String, List<KeyTables.Row>> documented) {
        List<String> diff = new ArrayList<>();
        Set<String> groups = new TreeSet<>(declared.keySet());
        groups.addAll(documented.keySet());
        for (String group : declared.keySet()) {
            if (!documented.containsKey(group)) {
                diff.add(group + ": no table <!-- keys:" + group + " --> in the doc");
            }
        }
        for (String group : documented.keySet()) {
            if (!declared.containsKey(group)) {
                diff.add(group + ": a table in the doc, but no module declares this group");
            }
        }
        for (String group : groups) {
            if (!declared.containsKey(group) || !documented.containsKey(group)) {
                continue;
            }
            Map<String, KeyTables.Row> code = byKey(KeyTables.rows(declared.get(group)));
            Map<String, KeyTables.Row> doc = byKey(documented.get(group));
            code.forEach((key, row) -> {
                KeyTables.Row d = doc.get(key);
                if (d == null) {
                    diff.add(group + ": " + key + " is declared but not in the doc");
                    return;
                }
                compare(diff, group, key, "default", row.defaultValue(), d.defaultValue());
                compare(diff, group, key, "allowed", row.allowed(), d.allowed());
                compare(diff, group, key, "description", row.description(), d.description());
            });
            doc.keySet().stream().filter(k -> !code.containsKey(k))
                    .forEach(k -> diff.add(group + ": " + k + " is in the doc but not declared"));
        }
        return diff;
    }

    private static void compare(List<String> diff, String group, String key, String what, String code, String doc) {
        if (!code.equals(doc)) {
            diff.add(group + ": " + key + ": " + what + " is " + code + " in the code, " + doc + " in the doc");
        }
    }

    private static Map<String, KeyTables.Row> byKey(List<KeyTables.Row> rows) {
        Map<String, KeyTables.Row> map = new LinkedHashMap<>();
        rows.forEach(r -> map.put(r.key(), r));
        return map;
    }
}
