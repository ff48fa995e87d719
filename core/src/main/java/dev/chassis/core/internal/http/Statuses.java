package dev.chassis.core.internal.http;

import dev.chassis.core.Problem;
import io.helidon.http.Status;

/** Helidon statuses with their standard reason phrase, also for codes Helidon does not name (431, 499...). Not API. */
public final class Statuses {
    private Statuses() {
    }

    public static Status of(int code) {
        Status s = Status.create(code);
        if (s.reasonPhrase().isEmpty() || s.reasonPhrase().equals(String.valueOf(code))) {
            return Status.create(code, Problem.reasonPhrase(code));
        }
        return s;
    }
}
