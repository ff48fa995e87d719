package dev.chassis.core.spi;

import java.util.List;
import java.util.Objects;

/**
 * The objects given to {@code ServiceBuilder.consume(...)}, as a component the application provides: the extension
 * that binds message handlers {@linkplain ExtensionContext.Components#take takes} it. When handlers were given and no
 * extension takes them, start-up fails.
 *
 * @param handlers the handler objects, in the order given; never empty
 */
public record MessageHandlers(List<Object> handlers) {
    public MessageHandlers {
        handlers = List.copyOf(Objects.requireNonNull(handlers, "handlers"));
    }
}
