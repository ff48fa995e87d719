package dev.chassis.security.internal;

import java.util.Collection;

/** The {@code WWW-Authenticate} values of RFC 6750 section 3. Not API. */
final class Challenges {
    /** The challenge when no credentials were sent. */
    static final String BEARER = "Bearer";

    private Challenges() {
    }

    /** {@code Bearer error="...", error_description="..."}. */
    static String error(String error, String description) {
        return "Bearer error=\"" + error + "\", error_description=\"" + quoted(description) + "\"";
    }

    /** {@code Bearer error="insufficient_scope", error_description="...", scope="a b"}. */
    static String insufficientScope(String description, Collection<String> scopes) {
        return error("insufficient_scope", description)
                + (scopes.isEmpty() ? "" : ", scope=\"" + quoted(String.join(" ", scopes)) + "\"");
    }

    /** The text as a quoted-string's content: printable ASCII without quotes or backslashes. */
    private static String quoted(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
        }
        return b.toString();
    }
}
