package dev.chassis.observability.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;

/**
 * The effective configuration as the console shows it: every declared setting with its value and where the value
 * comes from; a secret's value is {@link Setting#MASK}. A key with {@code *} segments is shown once per name some
 * source sets ({@code clients.inventory.url}). Not API.
 */
final class ConsoleConfig {
    /** Keys named like credentials, whose values are masked although their setting is not declared secret. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i)(password|passwd|secret|token|credential|api-?key|private-?key|jaas)");
    private static final Pattern USER_INFO = Pattern.compile("(://)[^/@\\s]+@");
    /** Oracle's thin and OCI URLs carry the credentials before the host: {@code jdbc:oracle:thin:scott/tiger@db}. */
    private static final Pattern ORACLE_CREDENTIALS = Pattern.compile("(?i)(jdbc:oracle:[a-z0-9]+:)[^@/\\s]*/[^@\\s]*@");
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;][^=&;\\s]*(password|passwd|pwd|secret|token|key|credential)[^=&;\\s]*=)[^&;\\s]*");

    static final String DEFAULT = "default";

    private ConsoleConfig() {
    }

    /** One setting: its value as configured ({@code null}: none), its source, whether it is secret. */
    record Entry(String key, String value, String source, boolean secret, String description) {
    }

    /** What {@code GET /console/api/config} answers. */
    record Effective(String profile, List<Entry> settings) {
    }

    static Effective of(Config config, List<Setting<?>> declared) {
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Setting<?> s : declared) {
            for (String key : concrete(config, s.key())) {
                if (seen.add(key)) {
                    entries.add(entry(config, s, key));
                }
            }
        }
        return new Effective(config.profile().orElse(null), entries);
    }

    private static Entry entry(Config config, Setting<?> s, String key) {
        String raw = config.raw(key).orElse(null);
        String value = raw != null ? s.shown(raw) : s.isSecret() ? null : text(s.defaultValue());
        boolean masked = s.isSecret() || value != null && SECRET_KEY.matcher(key).find();
        return new Entry(key, masked && value != null ? Setting.MASK : unsecret(value),
                config.sourceOf(key).orElse(DEFAULT), masked, s.description());
    }

    /**
     * A value without the credentials a URL may carry although its setting is not secret: the user-info part
     * ({@code postgres://app:pw@db}), Oracle's {@code user/password@}, and parameters named like secrets
     * ({@code ?password=...}, {@code ;pwd=...}).
     */
    static String unsecret(String value) {
        if (value == null) {
            return null;
        }
        String v = USER_INFO.matcher(value).replaceAll("$1" + Setting.MASK + "@");
        v = ORACLE_CREDENTIALS.matcher(v).replaceAll("$1" + Setting.MASK + "@");
        return SECRET_PARAMETER.matcher(v).replaceAll("$1" + Setting.MASK);
    }

    /** The keys a setting stands for: itself, or for a pattern each name the sources set in its place. */
    private static List<String> concrete(Config config, String pattern) {
        int star = pattern.indexOf(".*");
        if (star < 0) {
            return List.of(pattern);
        }
        String prefix = pattern.substring(0, star);
        String rest = pattern.substring(star + 2);
        List<String> keys = new ArrayList<>();
        for (String name : config.names(prefix)) {
            keys.addAll(concrete(config, prefix + "." + name + rest));
        }
        return keys;
    }

    /** A default as one would configure it: {@code 10s}, {@code round-robin}, {@code a, b}. */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Duration d) {
            long ms = d.toMillis();
            return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (value instanceof List<?> l) {
            return String.join(", ", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }
}
