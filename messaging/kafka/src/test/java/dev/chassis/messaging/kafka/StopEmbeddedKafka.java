package dev.chassis.messaging.kafka;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops {@link EmbeddedKafka} when the JUnit launcher session ends (registered as a service in this module's test
 * jar, so every test JVM that has the jar on its class path uses it). Surefire closes the session after the last
 * test and before the fork says goodbye, so the broker is down before the JVM exits: a broker that is still
 * running when the shutdown hooks start races the test kit's own hook, which deletes its log directories, and then
 * halts the JVM with status 1 (Surefire: "Error occurred in starting fork").
 */
public final class StopEmbeddedKafka implements LauncherSessionListener {
    /** Creates the listener; the JUnit launcher does, as a service. */
    public StopEmbeddedKafka() {
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        try {
            EmbeddedKafka.stop();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Kafka cluster did not stop cleanly", e);
        }
    }
}
