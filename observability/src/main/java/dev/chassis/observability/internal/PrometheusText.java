package dev.chassis.observability.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;

/**
 * Renders OpenTelemetry metrics in the Prometheus text exposition format 0.0.4, or in OpenMetrics 1.0, with
 * the names OpenTelemetry's Prometheus compatibility rules give: dots become underscores, the unit is
 * appended in words ({@code s} → {@code _seconds}, {@code By} → {@code _bytes}), monotonic sums end in
 * {@code _total}, and the resource is one {@code target_info} series. Not API.
 */
final class PrometheusText {
    static final String TEXT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private PrometheusText() {
    }

    /** One metric family: its Prometheus name, type, help and the OpenTelemetry data that feed it. */
    private record Family(String name, String type, String help, List<MetricData> data) {
    }

    static String render(Resource resource, Collection<MetricData> metrics, boolean openMetrics) {
        Map<String, Family> families = new LinkedHashMap<>();
        for (MetricData m : metrics) {
            String type = type(m);
            if (type == null) {
                continue; // exponential histograms and summaries: Chassis records neither
            }
            String name = name(m, type);
            Family f = families.computeIfAbsent(name, n -> new Family(n, type, m.getDescription(), new ArrayList<>()));
            if (f.type().equals(type)) {
                f.data().add(m); // the same name from two instrumentation scopes: one family
            }
        }
        StringBuilder out = new StringBuilder(8192);
        writeTargetInfo(out, resource, openMetrics);
        for (Family f : families.values()) {
            boolean counter = f.type().equals("counter");
            String familyName = openMetrics && counter ? f.name().substring(0, f.name().length() - "_total".length())
                    : f.name();
            out.append("# HELP ").append(familyName).append(' ')
                    .append(escapeHelp(f.help().isEmpty() ? f.name() : f.help(), openMetrics)).append('\n');
            out.append("# TYPE ").append(familyName).append(' ').append(f.type()).append('\n');
            for (MetricData m : f.data()) {
                writePoints(out, f.name(), m);
            }
        }
        if (openMetrics) {
            out.append("# EOF\n");
        }
        return out.toString();
    }

    private static void writeTargetInfo(StringBuilder out, Resource resource, boolean openMetrics) {
        out.append("# HELP target_info Target metadata\n");
        out.append("# TYPE ").append(openMetrics ? "target info" : "target_info gauge").append('\n');
        out.append("target_info");
        labels(out, resource.getAttributes(), null, null);
        out.append(" 1\n");
    }

    private static String type(MetricData m) {
        return switch (m.getType()) {
            case LONG_GAUGE, DOUBLE_GAUGE -> "gauge";
            case LONG_SUM, DOUBLE_SUM -> ((SumData<?>) m.getData()).isMonotonic() ? "counter" : "gauge";
            case HISTOGRAM -> "histogram";
            default -> null;
        };
    }

    private static void writePoints(StringBuilder out, String name, MetricData m) {
        if (m.getType() == MetricDataType.HISTOGRAM) {
            for (HistogramPointData p : m.getHistogramData().getPoints()) {
                List<Double> bounds = p.getBoundaries();
                List<Long> counts = p.getCounts();
                long cumulative = 0;
                for (int i = 0; i < counts.size(); i++) {
                    cumulative += counts.get(i);
                    out.append(name).append("_bucket");
                    labels(out, p.getAttributes(), "le", i < bounds.size() ? number(bounds.get(i)) : "+Inf");
                    out.append(' ').append(cumulative).append('\n');
                }
                out.append(name).append("_sum");
                labels(out, p.getAttributes(), null, null);
                out.append(' ').append(number(p.getSum())).append('\n');
                out.append(name).append("_count");
                labels(out, p.getAttributes(), null, null);
                out.append(' ').append(p.getCount()).append('\n');
            }
            return;
        }
        for (PointData p : m.getData().getPoints()) {
            out.append(name);
            labels(out, p.getAttributes(), null, null);
            out.append(' ');
            if (p instanceof LongPointData l) {
                out.append(l.getValue());
            } else if (p instanceof DoublePointData d) {
                out.append(number(d.getValue()));
            }
            out.append('\n');
        }
    }

    /** OpenTelemetry's rules: sanitized name, unit in words, {@code _total} for counters. */
    static String name(MetricData m, String type) {
        String name = sanitize(m.getName(), true);
        String unit = unit(m.getUnit(), type);
        if (!unit.isEmpty() && !name.endsWith("_" + unit)) {
            name = name + "_" + unit;
        }
        if (type.equals("counter") && !name.endsWith("_total")) {
            name = name + "_total";
        }
        if (type.equals("gauge") && name.endsWith("_count")) {
            // Prometheus keeps _count for histograms and summaries (promtool refuses it elsewhere):
            // jvm.thread.count is exposed as jvm_thread_current
            name = name.substring(0, name.length() - "_count".length()) + "_current";
        }
        return name;
    }

    static String unit(String unit, String type) {
        if (unit == null || unit.isEmpty() || unit.startsWith("{")) {
            return "";
        }
        if (unit.equals("1")) {
            return type.equals("gauge") ? "ratio" : "";
        }
        int slash = unit.indexOf('/');
        if (slash > 0) {
            String per = word(unit.substring(slash + 1));
            return word(unit.substring(0, slash)) + "_per_" + (per.endsWith("s") ? per.substring(0, per.length() - 1) : per);
        }
        return word(unit);
    }

    private static String word(String unit) {
        return switch (unit) {
            case "s" -> "seconds";
            case "ms" -> "milliseconds";
            case "us" -> "microseconds";
            case "ns" -> "nanoseconds";
            case "min" -> "minutes";
            case "h" -> "hours";
            case "d" -> "days";
            case "By" -> "bytes";
            case "KiBy" -> "kibibytes";
            case "MiBy" -> "mebibytes";
            case "GiBy" -> "gibibytes";
            case "KBy" -> "kilobytes";
            case "MBy" -> "megabytes";
            case "GBy" -> "gigabytes";
            case "bit" -> "bits";
            case "%" -> "percent";
            case "Hz" -> "hertz";
            default -> sanitize(unit, true);
        };
    }

    /** Prometheus names: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, labels without colons; runs of {@code _} collapse. */
    static String sanitize(String raw, boolean metricName) {
        StringBuilder b = new StringBuilder(raw.length() + 1);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || (metricName && c == ':');
            char w = ok ? c : '_';
            if (w == '_' && !b.isEmpty() && b.charAt(b.length() - 1) == '_') {
                continue;
            }
            b.append(w);
        }
        if (b.isEmpty() || Character.isDigit(b.charAt(0))) {
            b.insert(0, metricName ? "_" : "key_");
        }
        return b.toString();
    }

    private static void labels(StringBuilder out, Attributes attributes, String extraName, String extraValue) {
        if (attributes.isEmpty() && extraName == null) {
            return;
        }
        out.append('{');
        Map<String, String> merged = new LinkedHashMap<>();
        attributes.forEach((k, v) -> merged.merge(sanitize(k.getKey(), false), String.valueOf(v), (a, b) -> a + ";" + b));
        if (extraName != null) {
            merged.put(extraName, extraValue);
        }
        boolean first = true;
        for (Map.Entry<String, String> e : merged.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(e.getKey()).append("=\"");
            escapeLabel(out, e.getValue());
            out.append('"');
        }
        out.append('}');
    }

    private static void escapeLabel(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Backslash and newline; OpenMetrics escapes double quotes too. */
    private static String escapeHelp(String help, boolean openMetrics) {
        String h = help.replace("\\", "\\\\").replace("\n", "\\n");
        return openMetrics ? h.replace("\"", "\\\"") : h;
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v) + ".0";
        }
        return Double.toString(v);
    }
}
