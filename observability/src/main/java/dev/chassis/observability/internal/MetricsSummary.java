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
import io.opentelemetry.sdk.metrics.data.PointData;

/**
 * The service's metrics as JSON for the console: one {@link Series} per metric and attribute set, cumulative since
 * the service started (the page computes rates and recent percentiles from two readings). Collected only when asked.
 * Not API.
 */
final class MetricsSummary {
    private MetricsSummary() {
    }

    /**
     * One metric's point: a histogram's count, sum, bucket bounds and counts, or a counter's or gauge's value.
     *
     * @param kind {@code histogram}, {@code sum} or {@code gauge}
     */
    record Series(String name, String kind, Map<String, Object> attributes, Long count, Double sum, List<Double> bounds,
                  List<Long> counts, Double value) {
    }

    /** What {@code GET /console/api/metrics} answers. */
    record Metrics(long epochMillis, List<Series> series) {
    }

    static List<Series> of(Collection<MetricData> metrics) {
        List<Series> out = new ArrayList<>();
        for (MetricData m : metrics) {
            switch (m.getType()) {
                case HISTOGRAM -> m.getHistogramData().getPoints().forEach(p -> out.add(histogram(m.getName(), p)));
                case LONG_SUM -> m.getLongSumData().getPoints().forEach(p -> out.add(value(m.getName(), "sum", p)));
                case DOUBLE_SUM -> m.getDoubleSumData().getPoints().forEach(p -> out.add(value(m.getName(), "sum", p)));
                case LONG_GAUGE -> m.getLongGaugeData().getPoints().forEach(p -> out.add(value(m.getName(), "gauge", p)));
                case DOUBLE_GAUGE -> m.getDoubleGaugeData().getPoints()
                        .forEach(p -> out.add(value(m.getName(), "gauge", p)));
                default -> {
                    // exponential histograms and summaries: Chassis records none
                }
            }
        }
        return out;
    }

    private static Series histogram(String name, HistogramPointData p) {
        return new Series(name, "histogram", attributes(p.getAttributes()), p.getCount(), p.getSum(), p.getBoundaries(),
                p.getCounts(), null);
    }

    private static Series value(String name, String kind, PointData p) {
        double v = p instanceof LongPointData l ? l.getValue() : ((DoublePointData) p).getValue();
        return new Series(name, kind, attributes(p.getAttributes()), null, null, null, null, v);
    }

    static Map<String, Object> attributes(Attributes attributes) {
        Map<String, Object> out = new LinkedHashMap<>();
        attributes.forEach((k, v) -> out.put(k.getKey(), v));
        return out;
    }
}
