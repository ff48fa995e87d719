package dev.chassis.samples.benchmarks;

/**
 * What both benchmark servers answer to {@code GET /hello}: {@code {"message":"Hello, World!","id":1}}.
 *
 * @param message the greeting
 * @param id      a constant number, so the body has a string and a number
 */
public record Greeting(String message, long id) {
    /** The one instance both servers send, so neither allocates a different body. */
    public static final Greeting HELLO = new Greeting("Hello, World!", 1);
}
