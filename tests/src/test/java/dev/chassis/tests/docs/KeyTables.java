package dev.chassis.tests.docs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.server.CoreSettings;
import dev.chassis.core.spi.ChassisExtension;

/**
 * The key tables of {@code docs/configuration.md}, rendered from the declared settings of every module, and
 * read back from the document. A table sits between {@code <!-- keys:<group> -->} and
 * {@code <!-- /keys:<group> -->}, one per group: {@code core}, then one per Chassis extension that declares keys.
 */
final class KeyTables {
    static final String HEADER = "| key | default | allowed | what it does |\n|---|---|---|---|\n";
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- keys:([a-z0-9-]+) -->\\n(.*?)<!-- /keys:\\1 -->", Pattern.DOTALL);

    /** One row: the key with its placeholders, the default, what is allowed and the description. */
    record Row(String key, String defaultValue, String allowed, String description) {
        String render() {
            return "| `" + key + "` | " + defaultValue + " | " + cell(allowed) + " | " + cell(description) + " |";
        }
    }

    private KeyTables() {
    }

    /** Every declared setting of every Chassis module on the class path, by group, in declaration order. */
    static Map<String, List<Setting<?>>> declared() {
        Map<String, List<Setting<?>>> groups = new LinkedHashMap<>();
        groups.put("core", CoreSettings.all());
        for (ChassisExtension e : ServiceLoader.load(ChassisExtension.class)) {
            if (e.getClass().getPackageName().startsWith("dev.chassis.tests")) {
                continue; // this module's test extensions
            }
            List<Setting<?>> settings = e.settings();
            if (!settings.isEmpty()) {
                groups.put(e.name(), settings);
            }
        }
        return groups;
    }

    /** The rows of a group's table. */
    static List<Row> rows(List<Setting<?>> settings) {
        return settings.stream().map(s -> new Row(placeholders(s.key()), defaultText(s), s.allowed(),
                s.description() == null ? "" : s.description())).toList();
    }

    /** The table of a group, as Markdown. */
    static String table(List<Setting<?>> settings) {
        StringBuilder out = new StringBuilder(HEADER);
        rows(settings).forEach(r -> out.append(r.render()).append('\n'));
        return out.toString();
    }

    /** The tables of a document, by group. */
    static Map<String, List<Row>> parse(String document) {
        Map<String, List<Row>> tables = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(document);
        while (m.find()) {
            List<Row> rows = new ArrayList<>();
            for (String line : m.group(2).split("\n")) {
                if (line.startsWith("| `")) {
                    rows.add(parseRow(line));
                }
            }
            tables.put(m.group(1), rows);
        }
        return tables;
    }

    /** Table rows ({@code | `key` | ...}) that are not inside a generated table. */
    static List<String> strayRows(String document) {
        String outside = BLOCK.matcher(document).replaceAll("");
        return outside.lines().filter(l -> l.startsWith("| `")).toList();
    }

    /** The document with each group's table replaced by {@code tables}' rendering. */
    static String rewrite(String document, Map<String, List<Setting<?>>> groups) {
        Matcher m = BLOCK.matcher(document);
        StringBuilder out = new StringBuilder();
        List<String> missing = new ArrayList<>(groups.keySet());
        while (m.find()) {
            String group = m.group(1);
            List<Setting<?>> settings = groups.get(group);
            String body = settings == null ? m.group(2) : table(settings);
            missing.remove(group);
            m.appendReplacement(out, Matcher.quoteReplacement("<!-- keys:" + group + " -->\n" + body
                    + "<!-- /keys:" + group + " -->"));
        }
        m.appendTail(out);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("docs/configuration.md has no table for " + missing
                    + ": add <!-- keys:<group> --> and <!-- /keys:<group> --> where it belongs");
        }
        return out.toString();
    }

    private static Row parseRow(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '|' || line.charAt(i + 1) == '<')) {
                cell.append(line.charAt(++i));
            } else if (c == '|') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        while (cells.size() < 4) {
            cells.add("");
        }
        String key = cells.get(0).replace("`", "");
        return new Row(key, cells.get(1), cells.get(2), cells.get(3));
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("<", "\\<").replace("\n", " "); // Markdown would read <x> as HTML
    }

    /** {@code clients.*.url} as {@code clients.<target>.url}, {@code handlers.*.*.x} as {@code handlers.<class>.<method>.x}. */
    static String placeholders(String key) {
        String[] parts = key.split("\\.");
        List<String> names = switch (parts[0]) {
            case "clients" -> List.of("<target>");
            case "handlers", "consumers" -> List.of("<class>", "<method>");
            default -> List.of("<name>");
        };
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals("*")) {
                parts[i] = names.get(Math.min(n++, names.size() - 1));
            }
        }
        return String.join(".", parts);
    }

    /** The default as a value one would configure ({@code 10s}, {@code 10MiB}, {@code round-robin}), or {@code none}. */
    static String defaultText(Setting<?> s) {
        Object v = s.defaultValue();
        if (v == null) {
            return s.isSecret() ? "none (secret)" : "none";
        }
        String text;
        if (v instanceof Duration d) {
            text = duration(d);
        } else if (v instanceof Long n && s.allowed().contains("size")) {
            text = size(n);
        } else if (v instanceof Enum<?> e) {
            text = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        } else if (v instanceof List<?> l) {
            text = String.join(", ", l.stream().map(String::valueOf).toList());
        } else {
            text = String.valueOf(v);
        }
        return "`" + text + "`";
    }

    private static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    private static String size(long n) {
        String[] names = {"GiB", "MiB", "KiB"};
        long[] units = {1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < units.length; i++) {
            if (n != 0 && n % units[i] == 0) {
                return n / units[i] + names[i];
            }
        }
        return Long.toString(n);
    }
}
