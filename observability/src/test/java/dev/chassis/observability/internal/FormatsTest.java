package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.shared.CallOrigin;
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
        LogFormat text = new LogFormat(false, "svc", false, false);
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
            assertThat(new LogFormat(false, "svc", true, false).format(record)).contains("served [trace_id="
                    + "4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 peer=spiffe://test/caller]");
            assertThat(new LogFormat(false, "svc", false, false).format(record)).doesNotContain("peer");
        } finally {
            scope.close();
        }
        scope = Context.root().with(CallPeer.REQUEST, caller).makeCurrent(); // tracing off: no span, still the peer
        try {
            assertThat(new LogFormat(false, "svc", true, false).format(record)).contains("served [peer=spiffe://test/caller]");
        } finally {
            scope.close();
        }
    }

    @Test
    void linesCarryTheClientAddressOnlyWhenAsked() throws Exception {
        LogRecord record = new LogRecord(Level.INFO, "served");
        record.setLoggerName("orders");
        Scope scope = Context.root().with(Span.wrap(SPAN)).with(CallOrigin.CLIENT_ADDRESS, "203.0.113.7").makeCurrent();
        try {
            assertThat(new LogFormat(false, "svc", false, true).format(record)).contains("served [trace_id="
                    + "4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 client=203.0.113.7]");
            assertThat(new LogFormat(false, "svc", false, false).format(record)).doesNotContain("client");
            JsonNode json = new ObjectMapper().readTree(new LogFormat(true, "svc", false, true).format(record));
            assertThat(json.get("client").asText()).isEqualTo("203.0.113.7");
            assertThat(new ObjectMapper().readTree(new LogFormat(true, "svc", false, false).format(record)).has("client"))
                    .isFalse();
        } finally {
            scope.close();
        }
        // an obfuscated identifier a proxy forwarded (RFC 7239 §6.3) is escaped like every other field
        scope = Context.root().with(CallOrigin.CLIENT_ADDRESS, "_hidden\n\u001b").makeCurrent();
        try {
            assertThat(new LogFormat(false, "svc", false, true).format(record)).contains("served [client=_hidden\\n\\u001b]");
        } finally {
            scope.close();
        }
        LogRecord outside = new LogRecord(Level.INFO, "started");
        outside.setLoggerName("orders");
        assertThat(new LogFormat(false, "svc", true, true).format(outside)).as("outside a request").doesNotContain("[");
    }

    @Test
    void textLinesEscapeLineBreaksAndControlCharactersInEveryField() {
        LogFormat text = new LogFormat(false, "svc", true, false);
        String path = "/orders/1\r\n2026-01-01T00:00:00Z INFO  forged - \u001b[31mred\u001b[0m";
        String ceType = "order.created\r\n\u001b[31m\u0085\u2028\u007f\tx";
        LogRecord record = new LogRecord(Level.WARNING, "no handler for {0} (ce_type {1})");
        record.setParameters(new Object[] {path, ceType});
        record.setLoggerName("log\nger");
        TestCertificates ca = TestCertificates.authority("test CA");
        Peer caller = Peer.of(List.of(ca.issue("caller").spiffe("spiffe://test/a%0Ab").create().certificate()));
        Scope scope = Context.root().with(Span.wrap(SPAN)).with(CallPeer.REQUEST, caller).makeCurrent();
        String line;
        try {
            line = text.format(record);
        } finally {
            scope.close();
        }
        assertThat(line).hasLineCount(1).endsWith("]" + System.lineSeparator())
                .doesNotContain("\r").doesNotContain("\u001b").doesNotContain("\u0085").doesNotContain("\u2028")
                .contains("WARN  log\\nger - no handler for /orders/1\\r\\n2026-01-01T00:00:00Z INFO  forged - "
                        + "\\u001b[31mred\\u001b[0m (ce_type order.created\\r\\n\\u001b[31m\\u0085\\u2028\\u007f\\tx)")
                .contains("[trace_id=4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(LogFormat.escape("plain / text: ü ✓ 😀")).isEqualTo("plain / text: ü ✓ 😀");
    }

    @Test
    void textStackTracesKeepTheirLinesButNotTheMessagesLineBreaks() {
        IllegalStateException cause = new IllegalStateException("inner\r\nINFO forged \u001b[2J");
        RuntimeException thrown = new RuntimeException("outer\nline", cause);
        thrown.addSuppressed(new IllegalArgumentException("sup\rpressed"));
        LogRecord record = new LogRecord(Level.SEVERE, "failed");
        record.setLoggerName("orders");
        record.setThrown(thrown);
        String[] lines = new LogFormat(false, "svc", false, false).format(record).split(System.lineSeparator());
        assertThat(lines[0]).endsWith("ERROR orders - failed");
        assertThat(lines[1]).isEqualTo("java.lang.RuntimeException: outer\\nline");
        assertThat(lines).contains("Caused by: java.lang.IllegalStateException: inner\\r\\nINFO forged \\u001b[2J",
                "\tSuppressed: java.lang.IllegalArgumentException: sup\\rpressed");
        assertThat(List.of(lines).subList(2, lines.length)).allSatisfy(l -> assertThat(l).matches("(\tat |\t\\.\\.\\. |Caused by: |\t).*"));
        assertThat(String.join("", lines)).doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void jsonLinesEscapeLineBreaksAndAnsiEscapes() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "/orders/1\r\nforged \u001b[31mred");
        record.setLoggerName("orders");
        String line = new LogFormat(true, "svc", false, false).format(record);
        assertThat(line).hasLineCount(1).doesNotContain("\r").doesNotContain("\u001b").contains("\\r\\n").contains("\\u001B[31m");
        assertThat(new ObjectMapper().readTree(line).get("message").asText()).isEqualTo("/orders/1\r\nforged \u001b[31mred");
    }

    @Test
    void jsonLinesEscapeAndCarryTheException() throws Exception {
        LogFormat json = new LogFormat(true, "svc", false, false);
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
