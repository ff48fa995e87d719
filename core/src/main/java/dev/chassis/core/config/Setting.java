package dev.chassis.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A declared configuration key: its name, its type, its default and what values are allowed.
 *
 * <p>Every key a component reads is declared as a {@code Setting}, so that configuration is
 * checked once, at start-up: a wrong type, an out-of-range value or an unknown key under a
 * declared prefix stops the service with the key, the value, where it came from and what is
 * allowed. A key may contain {@code *} segments ({@code clients.*.timeout}) that stand for any
 * one segment; {@link #resolve(String...)} turns such a pattern into a concrete key.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {
    /** The user-info part of a URL: {@code user:password@} after the scheme. */
    private static final Pattern USER_INFO = Pattern.compile("(://)[^/@\\s]+@");
    private static final Duration MAX_DURATION = Duration.ofDays(365);
    private final String key;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Predicate<T> check;
    private final String allowed;
    private final String description;
    private final boolean secret;

    private Setting(String key, T defaultValue, Function<String, T> parser, Predicate<T> check, String allowed,
                    String description) {
        this(key, defaultValue, parser, check, allowed, description, false);
    }

    private Setting(String key, T defaultValue, Function<String, T> parser, Predicate<T> check, String allowed,
                    String description, boolean secret) {
        this.key = validKey(key);
        this.defaultValue = defaultValue;
        this.parser = Objects.requireNonNull(parser, "parser");
        this.check = Objects.requireNonNull(check, "check");
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.description = description;
        this.secret = secret;
    }

    /** The text shown instead of a secret setting's value wherever a value is echoed. */
    public static final String MASK = "******";

    /** A text setting; any value is allowed. */
    public static Setting<String> string(String key, String defaultValue) {
        return new Setting<>(key, defaultValue, s -> s, s -> true, "any text", null);
    }

    /** A whole-number setting, without range (use {@link #range(long, long)} or {@link #min(long)}). */
    public static Setting<Integer> integer(String key, Integer defaultValue) {
        return new Setting<>(key, defaultValue, Setting::parseInt, i -> true, "a whole number", null);
    }

    /** A decimal number between {@code min} and {@code max} (inclusive). */
    public static Setting<Double> decimal(String key, Double defaultValue, double min, double max) {
        return new Setting<>(key, defaultValue, s -> Double.valueOf(s.trim()),
                d -> !d.isNaN() && d >= min && d <= max, "a number between " + min + " and " + max, null);
    }

    /** A {@code true}/{@code false} setting. */
    public static Setting<Boolean> bool(String key, Boolean defaultValue) {
        return new Setting<>(key, defaultValue, Setting::parseBoolean, b -> true, "true or false", null);
    }

    /**
     * A duration: ISO-8601 ({@code PT10S}) or a number with a unit ({@code 500ms}, {@code 10s},
     * {@code 5m}, {@code 1h}, {@code 1d}).
     */
    public static Setting<Duration> duration(String key, Duration defaultValue) {
        return new Setting<>(key, defaultValue, Setting::parseDuration,
                d -> !d.isNegative() && d.compareTo(MAX_DURATION) <= 0,
                "a non-negative duration up to 365d such as 500ms, 10s, 5m or PT10S", null);
    }

    /** A size in bytes: a number with an optional unit ({@code 512}, {@code 64KiB}, {@code 10MiB}, {@code 1GiB}). */
    public static Setting<Long> size(String key, Long defaultValue) {
        return new Setting<>(key, defaultValue, Setting::parseSize, n -> n >= 0,
                "a non-negative size such as 512, 64KiB, 10MiB or 1GiB", null);
    }

    /** One of the constants of an enum, written in lower case with dashes ({@code FOO_BAR} as {@code foo-bar}). */
    public static <E extends Enum<E>> Setting<E> oneOf(String key, Class<E> type, E defaultValue) {
        E[] constants = type.getEnumConstants();
        String names = String.join(", ", Arrays.stream(constants).map(Setting::enumName).toList());
        return new Setting<>(key, defaultValue, s -> {
            for (E e : constants) {
                if (enumName(e).equalsIgnoreCase(s.trim()) || e.name().equalsIgnoreCase(s.trim())) {
                    return e;
                }
            }
            throw new IllegalArgumentException("not one of the allowed values");
        }, e -> true, "one of: " + names, null);
    }

    /** A list of texts: a YAML list, or a comma-separated value in an environment variable or system property. */
    public static Setting<List<String>> list(String key, List<String> defaultValue) {
        return new Setting<>(key, defaultValue == null ? null : List.copyOf(defaultValue),
                s -> s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).toList(),
                l -> true, "a list of texts", null);
    }

    /** A list of absolute {@code http} or {@code https} URIs, such as the instances of a client target. */
    public static Setting<List<URI>> uriList(String key) {
        return new Setting<>(key, null, s -> Arrays.stream(s.split(",")).map(String::trim).filter(u -> !u.isEmpty())
                .map(Setting::httpUri).toList(), l -> !l.isEmpty(),
                "a list of absolute http(s) URIs such as http://localhost:8081", null);
    }

    private static URI httpUri(String s) {
        URI u = URI.create(s);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http(s) URI");
        }
        String text = u.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    /** This setting restricted to {@code min <= value <= max}; for sizes and numbers. */
    public Setting<T> range(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("min must be <= max, but was " + min + " > " + max);
        }
        return new Setting<>(key, defaultValue, parser, check.and(v -> inRange(v, min, max)),
                kind() + " between " + min + " and " + max, description, secret);
    }

    /** This setting restricted to {@code value >= min}; for sizes, numbers and durations (in milliseconds). */
    public Setting<T> min(long min) {
        return new Setting<>(key, defaultValue, parser, check.and(v -> inRange(v, min, Long.MAX_VALUE)),
                kind() + (defaultValue instanceof Duration || isDuration() ? " of at least " + min + "ms" : " of at least " + min),
                description, secret);
    }

    /**
     * This setting with its default given as text, parsed and checked like a configured value. For a
     * default shared with an annotation member, which must be a compile-time constant such as {@code "100ms"}.
     *
     * @throws IllegalArgumentException when the text is not an allowed value of this setting
     */
    public Setting<T> withDefault(String text) {
        Objects.requireNonNull(text, "text");
        T value;
        try {
            value = parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the default '" + text + "' of " + key + " is not allowed: expected "
                    + allowed, e);
        }
        return new Setting<>(key, value, parser, check, allowed, description, secret);
    }

    /** This setting with a one-line description, shown in error messages and generated docs. */
    public Setting<T> describedAs(String text) {
        return new Setting<>(key, defaultValue, parser, check, allowed, text, secret);
    }

    /**
     * This setting marked secret (a password, a token): its value is never shown in error messages, logs, generated
     * docs or {@code toString()}; {@link #MASK} stands in its place. A secret has no default.
     *
     * @throws IllegalStateException when this setting has a default
     */
    public Setting<T> secret() {
        if (defaultValue != null) {
            throw new IllegalStateException("a secret setting has no default, but " + key + " has one");
        }
        return new Setting<>(key, null, parser, check, allowed, description, true);
    }

    /** Whether this setting's value is secret: see {@link #secret()}. */
    public boolean isSecret() {
        return secret;
    }

    /**
     * The raw text of a value as it may be shown (in errors and logs): {@link #MASK} for a secret setting, else the
     * text itself, without the user and password a URL may carry ({@code http://app:pw@db} shows as
     * {@code http://******@db}).
     */
    public String shown(String raw) {
        return secret ? MASK : raw == null ? null : USER_INFO.matcher(raw).replaceAll("$1" + MASK + "@");
    }

    /**
     * For a key with {@code *} segments, the concrete setting for the given names, in order.
     *
     * @throws IllegalArgumentException when the number of names differs from the number of {@code *} segments
     */
    public Setting<T> resolve(String... names) {
        String[] parts = key.split("\\.");
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals("*")) {
                if (n >= names.length) {
                    break;
                }
                parts[i] = names[n++];
            }
        }
        if (n != names.length || String.join(".", parts).contains("*")) {
            throw new IllegalArgumentException("key " + key + " needs " + key.chars().filter(c -> c == '*').count()
                    + " names, but was given " + names.length);
        }
        return new Setting<>(String.join(".", parts), defaultValue, parser, check, allowed, description, secret);
    }

    /** The key, in dotted lower case ({@code server.max-body-size}). */
    public String key() {
        return key;
    }

    /** The built-in default, or {@code null} when the key must be set or is optional. */
    public T defaultValue() {
        return defaultValue;
    }

    /** What values are allowed, in words, as shown in error messages. */
    public String allowed() {
        return allowed;
    }

    /** The description, or {@code null}. */
    public String description() {
        return description;
    }

    /** Whether {@code candidate} (a concrete key) is this setting's key or matches its pattern. */
    public boolean matches(String candidate) {
        if (!key.contains("*")) {
            return key.equals(candidate);
        }
        String[] a = key.split("\\.");
        String[] b = candidate.split("\\.");
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!a[i].equals("*") && !a[i].equals(b[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses and checks a raw value.
     *
     * @throws IllegalArgumentException with {@link #allowed()} when the value is not allowed
     */
    public T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(allowed, e);
        }
        if (!check.test(value)) {
            throw new IllegalArgumentException(allowed);
        }
        return value;
    }

    /** The name of the environment variable that sets this key ({@code server.max-body-size} → {@code SERVER_MAX_BODY_SIZE}). */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return key + " (" + allowed + (secret ? ", secret" : defaultValue == null ? "" : ", default " + defaultValue) + ")";
    }

    private boolean isDuration() {
        return allowed.contains("duration");
    }

    private String kind() {
        if (isDuration()) {
            return "a duration";
        }
        return allowed.contains("size") ? "a size in bytes" : "a whole number";
    }

    private static boolean inRange(Object v, long min, long max) {
        long n = v instanceof Duration d ? d.toMillis() : ((Number) v).longValue();
        return n >= min && n <= max;
    }

    private static String validKey(String key) {
        Objects.requireNonNull(key, "key");
        if (!key.matches("[a-z0-9*]([a-z0-9-]*[a-z0-9*])?(\\.[a-z0-9*]([a-z0-9-]*[a-z0-9*])?)*")) {
            throw new IllegalArgumentException("a key is dot-separated lower-case words with dashes, but was '" + key + "'");
        }
        return key;
    }

    private static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Integer parseInt(String s) {
        return Integer.valueOf(s.trim());
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    static Duration parseDuration(String s) {
        String t = s.trim();
        if (t.startsWith("P") || t.startsWith("p")) {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        }
        int i = digits(t);
        long n = Long.parseLong(t.substring(0, i));
        return switch (t.substring(i).trim().toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unknown unit");
        };
    }

    /** How many digits a number-with-unit starts with; at least one. */
    private static int digits(String t) {
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("no number");
        }
        return i;
    }

    static Long parseSize(String s) {
        String t = s.trim();
        int i = digits(t);
        long n = Long.parseLong(t.substring(0, i));
        long unit = switch (t.substring(i).trim().toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1024L;
            case "m", "mb", "mib" -> 1024L * 1024;
            case "g", "gb", "gib" -> 1024L * 1024 * 1024;
            default -> throw new IllegalArgumentException("unknown unit");
        };
        return Math.multiplyExact(n, unit);
    }
}
