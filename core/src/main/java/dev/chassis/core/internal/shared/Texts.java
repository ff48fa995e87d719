package dev.chassis.core.internal.shared;

/** Text helpers for error messages, the same in every module. Not API: see the package documentation. */
public final class Texts {
    private Texts() {
    }

    /**
     * The first line of {@code s} (all of it when it has one line), or {@code whenNull} when {@code s} is null:
     * an exception's message in a one-line log entry, header or problem detail.
     */
    public static String firstLine(String s, String whenNull) {
        if (s == null) {
            return whenNull;
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
