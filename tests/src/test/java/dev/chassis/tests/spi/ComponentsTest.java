package dev.chassis.tests.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.BindingException;

/**
 * Message handlers and components need the module that binds or provides them; this module has none on its
 * class path, so start-up must say which one to add.
 */
class ComponentsTest {
    /** Something no extension provides. */
    public interface Mailer {
        void send(String to);
    }

    @Test
    void handlersWithoutAMessagingModuleFailStartUp() {
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0").consume(new Object()).start())
                .isInstanceOf(BindingException.class).hasMessageContaining("no extension on the class path binds them")
                .hasMessageContaining("@Consume");
    }

    @Test
    void aComponentNobodyProvidesFailsStartUpAndCannotBeUsedBefore() {
        var b = Chassis.service("y").property("server.port", "0");
        Mailer mailer = b.component(Mailer.class);
        assertThat(b.component(Mailer.class)).isSameAs(mailer);
        assertThatThrownBy(() -> mailer.send("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not started");
        assertThat(mailer.toString()).contains("Mailer");
        assertThatThrownBy(b::start).isInstanceOf(BindingException.class).hasMessageContaining(Mailer.class.getName())
                .hasMessageContaining("nothing on the class path provides it")
                .hasMessageContaining("component(Mailer.class)");
        assertThatThrownBy(() -> b.component(String.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an interface");
    }
}
