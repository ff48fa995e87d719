package dev.chassis.messaging.internal;

/** Configuration names derived from Java names. Not API. */
final class Names {
    private Names() {
    }

    /** {@code PaymentEvents} → {@code payment-events}, {@code onCompleted} → {@code on-completed}. */
    static String kebab(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '-') {
                    sb.append('-');
                }
                sb.append(Character.toLowerCase(c));
            } else if (Character.isLetterOrDigit(c) && c < 128) {
                sb.append(c);
            } else if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '-') {
                sb.append('-');
            }
        }
        String s = sb.toString().replaceAll("-+$", "");
        return s.isEmpty() ? "handler" : s;
    }
}
