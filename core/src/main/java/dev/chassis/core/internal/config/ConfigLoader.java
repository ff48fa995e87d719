package dev.chassis.core.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.shared.Texts;

/**
 * Builds the layered configuration from the classpath, the environment and system properties.
 * Not API.
 */
public final class ConfigLoader {
    /** The key (and, upper-cased, the environment variable) that selects a profile. */
    public static final String PROFILE_KEY = "chassis.profile";
    /** The profile of production mode, whose file is optional. */
    public static final String PRODUCTION = "production";

    private ConfigLoader() {
    }

    /**
     * Loads configuration.
     *
     * @param classLoader   where {@code application.yaml} and {@code application-<profile>.yaml} are looked up
     * @param environment   the environment variables
     * @param systemProps   the system properties
     * @param inCode        values set in code (highest precedence), e.g. by tests
     */
    public static LayeredConfig load(ClassLoader classLoader, Map<String, String> environment, Properties systemProps,
                                     Map<String, String> inCode) {
        List<LayeredConfig.Source> below = new ArrayList<>();
        LayeredConfig.Source base = yaml(classLoader, "application.yaml");
        if (base != null) {
            below.add(base);
        }
        Map<String, String> sys = new LinkedHashMap<>();
        for (String name : systemProps.stringPropertyNames()) {
            sys.put(name, systemProps.getProperty(name));
        }
        String profile = firstNonBlank(inCode.get(PROFILE_KEY), sys.get(PROFILE_KEY),
                environment.get(Setting.environmentName(PROFILE_KEY)), base == null ? null : base.values().get(PROFILE_KEY));
        if (profile != null) {
            if (!profile.matches("[a-z0-9][a-z0-9-]*")) {
                throw new ConfigException(List.of(PROFILE_KEY + " = '" + profile
                        + "' is not allowed: expected a profile name of lower-case letters, digits and dashes"));
            }
            String file = "application-" + profile + ".yaml";
            LayeredConfig.Source p = yaml(classLoader, file);
            // production needs no file of its own: the profile turns production mode on (docs/security.md)
            if (p == null && !profile.equals(PRODUCTION)) {
                throw new ConfigException(List.of(PROFILE_KEY + " = '" + profile + "' but there is no " + file
                        + " on the classpath: add the file or choose another profile"));
            }
            if (p != null) {
                below.add(p);
            }
        }
        List<LayeredConfig.Source> above = new ArrayList<>();
        above.add(new LayeredConfig.Source("system property", prefixed(sys)));
        if (!inCode.isEmpty()) {
            above.add(new LayeredConfig.Source("code (Chassis service builder)", Map.copyOf(inCode)));
        }
        return new LayeredConfig(below, environment, above, profile);
    }

    /** The YAML reader, made when a file is there to read: a service configured without one never loads it. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
    }

    private static Map<String, String> prefixed(Map<String, String> sys) {
        // System properties carry the JVM's own keys too (java.*, os.*, user.*...). They are kept, since
        // a lookup only ever asks for declared keys; validation checks only declared prefixes.
        return Map.copyOf(sys);
    }

    private static LayeredConfig.Source yaml(ClassLoader classLoader, String name) {
        URL url = classLoader.getResource(name);
        if (url == null) {
            return null;
        }
        String sourceName = "classpath:" + name;
        Map<String, String> flat = new LinkedHashMap<>();
        try (InputStream in = url.openStream()) {
            JsonNode root = Yaml.MAPPER.readTree(in);
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw new ConfigException(List.of(sourceName + " must hold a mapping of keys to values at its top level"));
                }
                flatten("", root, flat);
            }
        } catch (IOException e) {
            throw new ConfigException(List.of(sourceName + " is not valid YAML: "
                    + Texts.firstLine(e.getMessage(), "unreadable")));
        }
        return new LayeredConfig.Source(sourceName, flat);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> f : node.properties()) {
                flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : node) {
                items.add(item.isValueNode() ? item.asText() : item.toString());
            }
            out.put(prefix, String.join(",", items));
        } else {
            out.put(prefix, node.isNull() ? "" : node.asText());
        }
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
