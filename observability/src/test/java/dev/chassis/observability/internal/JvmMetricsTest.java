package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;

/**
 * The JVM's instruments are registered at the first collection (or at once when the SDK pushes metrics), not while
 * the service starts: start-up does not wait for the platform MXBeans.
 */
class JvmMetricsTest {
    @Test
    void registersOnlyWhenACollectionNeedsThemOrWhenStarted() {
        PrometheusReader reader = new PrometheusReader();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
            JvmMetrics jvm = new JvmMetrics(provider.get("dev.chassis.jvm"));
            assertThat(names(reader)).doesNotContain("jvm.memory.used", "jvm.thread.count");

            jvm.awaitRegistered(); // what /metrics does before it collects: a scrape before start still sees them
            assertThat(names(reader)).contains("jvm.memory.used", "jvm.thread.count", "jvm.class.count", "jvm.cpu.count");

            jvm.start(); // what a service pushing its metrics calls: after a scrape, registers nothing twice
            jvm.awaitRegistered();
            assertThat(names(reader).stream().filter("jvm.memory.used"::equals)).hasSize(1);
            jvm.close();
        }
    }

    @Test
    void closedBeforeStartRegistersNothing() {
        PrometheusReader reader = new PrometheusReader();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
            JvmMetrics jvm = new JvmMetrics(provider.get("dev.chassis.jvm"));
            jvm.close(); // a service stopped before anything collected
            jvm.start();
            jvm.awaitRegistered();
            assertThat(names(reader)).doesNotContain("jvm.memory.used");
        }
    }

    private static List<String> names(PrometheusReader reader) {
        return reader.collect().stream().map(MetricData::getName).toList();
    }
}
