package dev.chassis.core.internal.http.server;

import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import dev.chassis.core.Problem;
import dev.chassis.core.internal.shared.Texts;
import dev.chassis.core.internal.http.Converters;

/**
 * Turns Jackson's read errors into 400 problems that say what is wrong with the client's JSON
 * without naming server classes. Not API.
 */
final class JsonProblems {
    private JsonProblems() {
    }

    static Problem of(JsonProcessingException e) {
        boolean truncated = e.getOriginalMessage() != null && e.getOriginalMessage().contains("end-of-input");
        if (e instanceof JsonParseException || !(e instanceof JsonMappingException) || truncated) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return Problem.builder(400).detail("malformed JSON" + where + ": "
                    + Texts.firstLine(e.getOriginalMessage(), "unreadable")).build();
        }
        JsonMappingException m = (JsonMappingException) e;
        String field = path(m);
        String message;
        String component = m instanceof ValueInstantiationException vi ? componentNamed(vi) : null;
        if (component != null) {
            // a record's own check that names one of its components: report that component, not the whole record
            field = field.equals("body") ? component : field + "." + component;
            message = m.getCause() instanceof NullPointerException ? "is required" : m.getCause().getMessage();
        } else if (m instanceof ValueInstantiationException vi && vi.getCause() instanceof IllegalArgumentException iae
                && iae.getMessage() != null) {
            message = iae.getMessage(); // the type's own validation, written for its users
        } else if (m instanceof ValueInstantiationException) {
            message = "is invalid";
        } else if (m instanceof InvalidFormatException f) {
            message = "expected " + describe(f.getTargetType()) + ", but was " + abbreviate(String.valueOf(f.getValue()));
        } else if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            boolean missing = mi.getOriginalMessage() != null && mi.getOriginalMessage().startsWith("Cannot map `null`");
            message = (missing ? "is required: expected " : "expected ") + describe(mi.getTargetType());
        } else {
            message = "is invalid";
        }
        return Problem.builder(400).detail("invalid request body").error(field, message).build();
    }

    /**
     * The record component a constructor's failure names: {@code Objects.requireNonNull(title, "title")}, or an
     * {@code IllegalArgumentException} whose message starts with the component's name ({@code "title must not be
     * blank"}); {@code null} when it names none.
     */
    private static String componentNamed(ValueInstantiationException e) {
        Class<?> type = e.getType() == null ? null : e.getType().getRawClass();
        Throwable cause = e.getCause();
        if (type == null || !type.isRecord() || cause == null || cause.getMessage() == null
                || !(cause instanceof NullPointerException || cause instanceof IllegalArgumentException)) {
            return null;
        }
        String text = cause.getMessage();
        for (RecordComponent c : type.getRecordComponents()) {
            String name = c.getName();
            boolean named = cause instanceof NullPointerException ? text.equals(name)
                    : text.startsWith(name) && (text.length() == name.length() || " :,".indexOf(text.charAt(name.length())) >= 0);
            if (named) {
                return name;
            }
        }
        return null;
    }

    private static String path(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }

    static String describe(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == int.class || type == long.class || type == short.class || type == byte.class
                || type == Integer.class || type == Long.class || type == Short.class || type == Byte.class
                || type == BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == UUID.class) {
            return "a UUID string";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 date/time string";
        }
        if (type.isEnum()) {
            StringBuilder names = new StringBuilder();
            for (Object c : type.getEnumConstants()) {
                names.append(names.isEmpty() ? "" : ", ").append(((Enum<?>) c).name());
            }
            return "one of " + names;
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.isPrimitive()) {
            return "an object";
        }
        return "another value";
    }

    private static String abbreviate(String s) {
        return "'" + Converters.abbreviate(s) + "'";
    }
}
