package dev.chassis.messaging.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.messaging.EventType;
import dev.chassis.messaging.spi.BrokerRecord;

/**
 * CloudEvents 1.0 on records (STANDARD §4): written in binary content mode ({@code ce_*} headers, JSON data as
 * the value, {@code content-type: application/json}); read in binary mode, or in structured mode
 * ({@code content-type: application/cloudevents+json}, the whole event as the value). Not API.
 */
final class Envelope {
    static final String CONTENT_TYPE = "content-type";
    static final String JSON = "application/json";
    static final String STRUCTURED = "application/cloudevents+json";
    /** The CloudEvents extension attributes of the acting subject and its issuer (publisher's claim). */
    static final String ACTOR = "chassissubject";
    static final String ACTOR_ISSUER = "chassisissuer";

    /**
     * A read event: its attributes and its data — the raw JSON bytes (binary mode: read once, straight into the
     * handler's type) or the parsed JSON (structured mode).
     */
    record Event(String id, URI source, String type, Optional<String> subject, Optional<OffsetDateTime> time,
                 JsonNode data, byte[] raw, String actor, String actorIssuer) {
        boolean empty() {
            return raw == null ? data == null || data.isNull() : raw.length == 0;
        }
    }

    /** Why a record is not a CloudEvent Chassis can read: it goes to the dead letters at once. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }
    }

    private final ObjectMapper mapper;
    private final String source;

    Envelope(ObjectMapper mapper, String service) {
        this.mapper = mapper;
        this.source = "/" + service;
    }

    /** The type of an event object: its class's {@link EventType}, else its class name. */
    static String typeOf(Object event) {
        EventType t = event.getClass().getAnnotation(EventType.class);
        return t != null ? t.value() : event.getClass().getName();
    }

    /** A new event in binary mode; {@code extra} headers (trace context) are added by the caller. */
    BrokerRecord write(String topic, String key, Object event, String id, Map<String, List<String>> extra)
            throws IOException {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("ce_specversion", List.of("1.0"));
        h.put("ce_id", List.of(id));
        h.put("ce_source", List.of(source));
        h.put("ce_type", List.of(typeOf(event)));
        h.put("ce_time", List.of(Instant.now().toString())); // RFC 3339, UTC
        h.put(CONTENT_TYPE, List.of(JSON));
        h.putAll(extra);
        return new BrokerRecord(topic, key, h, mapper.writeValueAsBytes(event));
    }

    Event read(BrokerRecord record) throws Unreadable {
        String contentType = Optional.ofNullable(record.header(CONTENT_TYPE)).orElse("").toLowerCase(Locale.ROOT);
        if (contentType.startsWith(STRUCTURED)) {
            return structured(record);
        }
        String spec = record.header("ce_specversion");
        if (spec == null) {
            throw new Unreadable("not a CloudEvent: no ce_specversion header and not " + STRUCTURED);
        }
        if (!spec.equals("1.0")) {
            throw new Unreadable("CloudEvents specversion " + spec + " is not 1.0");
        }
        if (!contentType.isEmpty() && !contentType.startsWith(JSON) && !contentType.contains("+json")) {
            throw new Unreadable("the data's content-type " + contentType + " is not JSON");
        }
        return event(record.header("ce_id"), record.header("ce_source"), record.header("ce_type"),
                record.header("ce_subject"), record.header("ce_time"), null,
                record.value() == null ? new byte[0] : record.value(), record.header("ce_" + ACTOR),
                record.header("ce_" + ACTOR_ISSUER));
    }

    private Event structured(BrokerRecord record) throws Unreadable {
        JsonNode e;
        try {
            e = mapper.readTree(new String(record.value(), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException ex) {
            throw new Unreadable("the structured CloudEvent is not valid JSON");
        }
        if (e == null || !e.isObject()) {
            throw new Unreadable("the structured CloudEvent is not a JSON object");
        }
        if (!"1.0".equals(text(e, "specversion"))) {
            throw new Unreadable("CloudEvents specversion " + text(e, "specversion") + " is not 1.0");
        }
        String dct = text(e, "datacontenttype");
        if (dct != null && !dct.startsWith(JSON) && !dct.contains("+json")) {
            throw new Unreadable("the data's content type " + dct + " is not JSON");
        }
        if (e.has("data_base64")) {
            throw new Unreadable("binary data (data_base64) is not JSON");
        }
        return event(text(e, "id"), text(e, "source"), text(e, "type"), text(e, "subject"), text(e, "time"), e.get("data"),
                null, text(e, ACTOR), text(e, ACTOR_ISSUER));
    }

    private static Event event(String id, String source, String type, String subject, String time, JsonNode data,
                               byte[] raw, String actor, String actorIssuer) throws Unreadable {
        List<String> missing = new ArrayList<>();
        if (id == null || id.isEmpty()) {
            missing.add("id");
        }
        if (source == null || source.isEmpty()) {
            missing.add("source");
        }
        if (type == null || type.isEmpty()) {
            missing.add("type");
        }
        if (!missing.isEmpty()) {
            throw new Unreadable("the CloudEvent has no " + String.join(", ", missing));
        }
        URI src;
        try {
            src = new URI(source);
        } catch (URISyntaxException ex) {
            throw new Unreadable("the CloudEvent's source is not a URI reference");
        }
        Optional<OffsetDateTime> at;
        try {
            at = time == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(time));
        } catch (DateTimeParseException ex) {
            throw new Unreadable("the CloudEvent's time is not an RFC 3339 timestamp");
        }
        boolean acted = actor != null && !actor.isEmpty() && actorIssuer != null && !actorIssuer.isEmpty();
        return new Event(id, src, type, Optional.ofNullable(subject), at, data, raw, acted ? actor : null,
                acted ? actorIssuer : null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
