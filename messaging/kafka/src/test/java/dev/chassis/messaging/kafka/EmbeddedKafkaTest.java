package dev.chassis.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ServiceLoader;

import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherSessionListener;

/** The in-JVM cluster's end: stopped by the launcher session, and a broker's halt cannot end the test JVM. */
class EmbeddedKafkaTest {
    @Test
    void theLauncherSessionStopsTheClusterThroughAServiceInTheTestJar() {
        assertThat(ServiceLoader.load(LauncherSessionListener.class).stream().map(ServiceLoader.Provider::type))
                .contains(StopEmbeddedKafka.class);
    }

    @Test
    void aHaltOrExitTheBrokerAsksForIsRecordedAndThrownWhenTheSessionStopsTheCluster() throws Exception {
        EmbeddedKafka.bootstrapServers();
        // without the recording procedures, the first of these would end this JVM with status 1
        Exit.halt(1, "log dir failed (test)");
        Exit.exit(2, "request handler died (test)");

        assertThatThrownBy(() -> new StopEmbeddedKafka().launcherSessionClosed(null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the embedded Kafka broker asked to halt the JVM with status 1: log dir failed (test)")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().extracting(Throwable::getMessage)
                        .isEqualTo("the embedded Kafka broker asked to exit the JVM with status 2: request handler died (test)"));
        assertThat(EmbeddedKafka.running()).isFalse();
        EmbeddedKafka.stop(); // a second stop, like the session's at the end, finds nothing to stop
    }
}
