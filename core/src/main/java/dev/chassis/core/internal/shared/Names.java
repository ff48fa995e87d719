package dev.chassis.core.internal.shared;

import java.lang.reflect.Method;

/**
 * How Chassis names things in configuration keys and messages, the same way in every module. Not API: see the
 * package documentation.
 */
public final class Names {
    private Names() {
    }

    /**
     * The configuration key of a handler method, {@code <class-in-kebab-case>.<method-in-kebab-case>}
     * ({@code OrderApi.place} → {@code order-api.place}): HTTP handlers ({@code handlers.<key>.*}) and message
     * handlers ({@code consumers.<key>.*}) are named this way.
     */
    public static String handlerKey(Class<?> type, Method method) {
        return kebab(type.getSimpleName()) + "." + kebab(method.getName());
    }

    /** {@code PaymentEvents} → {@code payment-events}; empty or symbol-only names become {@code handler}. */
    public static String kebab(String name) {
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

    /** {@code com.example.OrderApi.place(PlaceOrder, Optional)}: a method as error messages name it. */
    public static String method(Method m) {
        StringBuilder params = new StringBuilder();
        for (Class<?> p : m.getParameterTypes()) {
            params.append(params.isEmpty() ? "" : ", ").append(p.getSimpleName());
        }
        return m.getDeclaringClass().getName() + "." + m.getName() + "(" + params + ")";
    }
}
