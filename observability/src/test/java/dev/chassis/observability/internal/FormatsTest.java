package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.shared.CallPeer;
import dev.chassis.testing.TestCertificates;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/** Unit checks of the log line formats and of the Prometheus name rules. */
class FormatsTest {
    private static final SpanContext SPAN = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
            TraceFlags.getSampled(), TraceState.getDefault());

    @Test
    void textLinesAreOneLineWithTheTraceIdInsideASpan() {
        LogFormat text = new LogFormat(false, "svc", false);
        LogRecord record = new LogRecord(Level.WARNING, "stock {0} is low");
        record.setParameters(new Object[] {"pen"});
        record.setLoggerName("orders");
        String outside = text.format(record);
        assertThat(outside).endsWith("WARN  orders - stock pen is low" + System.lineSeparator()).doesNotContain("trace_id");
        Scope scope = Span.wrap(SPAN).makeCurrent();
        try {
            assertThat(text.format(record)).contains("stock pen is low [trace_id=4bf92f3577b34da6a3ce929d0e0e4736"
                    + " span_id=00f067aa0ba902b7]");
        } finally {
            scope.close();
        }
    }

    @Test
    void textLinesCarryTheAuthenticatedCallerOnlyWhenAsked() {
        TestCertificates ca = TestCertificates.authority("test CA");
        Peer caller = Peer.of(List.of(ca.issue("caller").spiffe("spiffe://test/caller").create().certificate()));
        LogRecord record = new LogRecord(Level.INFO, "served");
        record.setLoggerName("orders");
        Scope scope = Context.root().with(Span.wrap(SPAN)).with(CallPeer.REQUEST, caller).makeCurrent();
        try {
            assertThat(new LogFormat(false, "svc", true).format(record)).contains("served [trace_id="
                    + "4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 peer=spiffe://test/caller]");
            assertThat(new LogFormat(false, "svc", false).format(record)).doesNotContain("peer");
        } finally {
            scope.close();
        }
        scope = Context.root().with(CallPeer.REQUEST, caller).makeCurrent(); // tracing off: no span, still the peer
        try {
            assertThat(new LogFormat(false, "svc", true).format(record)).contains("served [peer=spiffe://test/caller]");
        } finally {
            scope.close();
        }
    }

    @Test
    void jsonLinesEscapeAndCarryTheException() throws Exception {
        LogFormat json = new LogFormat(true, "svc", false);
        LogRecord record = new LogRecord(Level.SEVERE, "a \"quoted\"\nmessage");
        record.setLoggerName("orders");
        record.setThrown(new IllegalStateException("boom"));
        String line = json.format(record);
        assertThat(line).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
        var node = new ObjectMapper().readTree(line);
        assertThat(node.get("message").asText()).isEqualTo("a \"quoted\"\nmessage");
        assertThat(node.get("level").asText()).isEqualTo("ERROR");
        assertThat(node.get("exception").asText()).startsWith("java.lang.IllegalStateException: boom");
        assertThat(node.has("trace_id")).isFalse();
    }

    @Test
    void prometheusNamesFollowTheOpenTelemetryRules() {
        assertThat(PrometheusText.unit("s", "histogram")).isEqualTo("seconds");
        assertThat(PrometheusText.unit("By", "gauge")).isEqualTo("bytes");
        assertThat(PrometheusText.unit("1", "gauge")).isEqualTo("ratio");
        assertThat(PrometheusText.unit("1", "counter")).isEmpty();
        assertThat(PrometheusText.unit("{request}", "gauge")).isEmpty();
        assertThat(PrometheusText.unit("By/s", "gauge")).isEqualTo("bytes_per_second");
        assertThat(PrometheusText.sanitize("http.server.request-duration", true)).isEqualTo("http_server_request_duration");
        assertThat(PrometheusText.sanitize("9lives", true)).isEqualTo("_9lives");
        assertThat(PrometheusText.sanitize("a..b", false)).isEqualTo("a_b");
        assertThat(PrometheusText.number(0.005)).isEqualTo("0.005");
        assertThat(PrometheusText.number(10)).isEqualTo("10.0");
        assertThat(PrometheusText.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(List.of(PrometheusText.number(Double.NaN))).containsExactly("NaN");
    }
}
