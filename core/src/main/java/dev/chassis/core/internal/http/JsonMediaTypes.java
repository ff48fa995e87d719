package dev.chassis.core.internal.http;

import java.util.Locale;

import io.helidon.common.media.type.MediaType;

/** Which media types are JSON. Not API. */
public final class JsonMediaTypes {
    private JsonMediaTypes() {
    }

    /** {@code application/json} or {@code application/<anything>+json}. */
    public static boolean isJson(MediaType type) {
        return "application".equalsIgnoreCase(type.type())
                && ("json".equalsIgnoreCase(type.subtype()) || type.subtype().toLowerCase(Locale.ROOT).endsWith("+json"));
    }
}
