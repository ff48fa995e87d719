package dev.chassis.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import dev.chassis.observability.spi.SpanRedactor;

/**
 * Redactors an application would write, found with ServiceLoader (this module's test resources list them). Each acts
 * only for the service named after it, so the other tests' services are left alone.
 */
final class TestRedactors {
    static final AttributeKey<String> ENDUSER = AttributeKey.stringKey("enduser.id");

    private TestRedactors() {
    }

    /** Service "hashing": {@code enduser.id} becomes {@code user#<length>}, on spans and events. */
    public static final class Hashing implements SpanRedactor {
        @Override
        public Attributes redact(Site site, Attributes attributes) {
            String user = attributes.get(ENDUSER);
            if (!site.service().equals("hashing") || user == null) {
                return attributes;
            }
            return attributes.toBuilder().put(ENDUSER, "user#" + user.length()).build();
        }
    }

    /** Service "broken": throws for every span that carries {@code enduser.id}. */
    public static final class Failing implements SpanRedactor {
        @Override
        public Attributes redact(Site site, Attributes attributes) {
            if (site.service().equals("broken") && attributes.get(ENDUSER) != null) {
                throw new IllegalStateException("cannot redact " + site.spanName());
            }
            return attributes;
        }
    }
}
