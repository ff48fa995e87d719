package bench.quarkus;

/**
 * The body of {@code GET /hello}: {@code {"message":"Hello, World!","id":1}}, as in the Chassis benchmarks.
 *
 * @param message the greeting
 * @param id      a constant number
 */
public record Greeting(String message, long id) {
    /** The one instance every request is answered with. */
    public static final Greeting HELLO = new Greeting("Hello, World!", 1);
}
