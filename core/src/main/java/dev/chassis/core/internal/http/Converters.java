package dev.chassis.core.internal.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Converts path, query and header text to parameter types. Each converter throws
 * {@link IllegalArgumentException} whose message says what was expected. Not API.
 */
public final class Converters {
    private static final Map<Class<?>, Converter> SIMPLE = Map.ofEntries(
            Map.entry(String.class, new Converter("text", s -> s)),
            Map.entry(int.class, new Converter("a whole number", Integer::valueOf)),
            Map.entry(Integer.class, new Converter("a whole number", Integer::valueOf)),
            Map.entry(long.class, new Converter("a whole number", Long::valueOf)),
            Map.entry(Long.class, new Converter("a whole number", Long::valueOf)),
            Map.entry(short.class, new Converter("a whole number", Short::valueOf)),
            Map.entry(Short.class, new Converter("a whole number", Short::valueOf)),
            Map.entry(byte.class, new Converter("a whole number", Byte::valueOf)),
            Map.entry(Byte.class, new Converter("a whole number", Byte::valueOf)),
            Map.entry(double.class, new Converter("a number", Converters::finiteDouble)),
            Map.entry(Double.class, new Converter("a number", Converters::finiteDouble)),
            Map.entry(float.class, new Converter("a number", s -> (float) finiteDouble(s))),
            Map.entry(Float.class, new Converter("a number", s -> (float) finiteDouble(s))),
            Map.entry(boolean.class, new Converter("true or false", Converters::strictBoolean)),
            Map.entry(Boolean.class, new Converter("true or false", Converters::strictBoolean)),
            Map.entry(char.class, new Converter("a single character", Converters::singleChar)),
            Map.entry(Character.class, new Converter("a single character", Converters::singleChar)),
            Map.entry(UUID.class, new Converter("a UUID", Converters::uuid)),
            Map.entry(Instant.class, new Converter("an ISO-8601 instant such as 2024-05-01T12:00:00Z", Instant::parse)),
            Map.entry(LocalDate.class, new Converter("an ISO-8601 date such as 2024-05-01", LocalDate::parse)),
            Map.entry(LocalDateTime.class, new Converter("an ISO-8601 local date-time", LocalDateTime::parse)),
            Map.entry(OffsetDateTime.class, new Converter("an ISO-8601 date-time with offset", OffsetDateTime::parse)),
            Map.entry(Duration.class, new Converter("an ISO-8601 duration such as PT10S", Duration::parse)));

    /** A conversion and, for error messages, what it expects. */
    public record Converter(String expected, Function<String, ?> function) {
        public Object convert(String text) {
            try {
                return function.apply(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("expected " + expected + ", but was '" + abbreviate(text) + "'", e);
            }
        }
    }

    private Converters() {
    }

    /** The converter for a type, or {@code null} when the type cannot be converted from text. */
    public static Converter forType(Class<?> type) {
        Converter c = SIMPLE.get(type);
        if (c != null) {
            return c;
        }
        if (type.isEnum()) {
            return enumConverter(type);
        }
        return null;
    }

    /** Whether {@link #forType(Class)} supports the type. */
    public static boolean supports(Class<?> type) {
        return forType(type) != null;
    }

    private static Converter enumConverter(Class<?> type) {
        Object[] constants = type.getEnumConstants();
        StringBuilder names = new StringBuilder();
        for (Object c : constants) {
            names.append(names.isEmpty() ? "" : ", ").append(((Enum<?>) c).name());
        }
        return new Converter("one of " + names, s -> {
            for (Object c : constants) {
                if (((Enum<?>) c).name().equals(s)) {
                    return c;
                }
            }
            for (Object c : constants) {
                if (((Enum<?>) c).name().equalsIgnoreCase(s.replace('-', '_'))) {
                    return c;
                }
            }
            throw new IllegalArgumentException("no constant");
        });
    }

    private static double finiteDouble(String s) {
        double d = Double.parseDouble(s);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("not finite");
        }
        return d;
    }

    private static boolean strictBoolean(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static char singleChar(String s) {
        if (s.length() != 1) {
            throw new IllegalArgumentException("not one character");
        }
        return s.charAt(0);
    }

    private static UUID uuid(String s) {
        // UUID.fromString accepts short forms such as "1-2-3-4-5"; the standard 36-character form only.
        if (s.length() != 36) {
            throw new IllegalArgumentException("not a UUID");
        }
        return UUID.fromString(s);
    }

    public static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
