package dev.chassis.core.internal.http;

import java.util.ArrayList;
import java.util.List;

/**
 * A validated path template: literal segments and {@code {name}} variables. Not API.
 *
 * @param path      the normalized template, starting with {@code /}, without trailing slash
 * @param variables the variable names, in order
 * @param shape     the template with variable names erased, for duplicate detection: {@code /orders/{}}
 */
public record PathTemplate(String path, List<String> variables, String shape) {

    /** Joins a class path and a method path and validates the result. */
    public static PathTemplate of(String classPath, String methodPath) {
        String joined = "/" + classPath + "/" + methodPath;
        List<String> segments = new ArrayList<>();
        for (String s : joined.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        List<String> variables = new ArrayList<>();
        StringBuilder shape = new StringBuilder();
        for (String s : segments) {
            if (s.startsWith("{") && s.endsWith("}")) {
                String name = s.substring(1, s.length() - 1);
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("path variable '" + s + "' must be {name} with a Java-identifier name");
                }
                if (variables.contains(name)) {
                    throw new IllegalArgumentException("path variable {" + name + "} appears twice");
                }
                variables.add(name);
                shape.append("/{}");
            } else if (s.contains("{") || s.contains("}") || s.contains("*") || s.contains("?") || s.contains("#")) {
                throw new IllegalArgumentException("segment '" + s + "' must be a literal word or a whole {name} variable");
            } else {
                shape.append('/').append(s);
            }
        }
        String path = "/" + String.join("/", segments);
        return new PathTemplate(path, List.copyOf(variables), shape.isEmpty() ? "/" : shape.toString());
    }

    /** Literal segments count before variables, so {@code /orders/search} is tried before {@code /orders/{id}}. */
    public int specificity() {
        int literal = 0;
        for (String s : shape.split("/")) {
            if (!s.isEmpty() && !s.equals("{}")) {
                literal++;
            }
        }
        return literal * 1000 - variables.size();
    }
}
