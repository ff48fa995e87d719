package dev.chassis.tests.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code server.platform-pollers}: switched on, a service started in a fresh JVM has the JDK wait for its sockets on
 * platform threads ({@code Read-Poller}), unless the JVM was given {@code -Djdk.pollerMode}; off, the JDK's own
 * default stays; unset (the default), it is on exactly when a scheduler check of the concurrency limit is. A child
 * JVM each time: the JDK reads the property once, when its first virtual thread waits on a socket.
 */
class PlatformPollersTest {
    /** What the start logs when a scheduler check switched the pollers. */
    private static final String SWITCHED = "set jdk.pollerMode=1";

    @Test
    void switchedOnTheJdkPollsOnPlatformThreads() throws Exception {
        List<String> out = run(List.of(), "server.platform-pollers=true");
        assertThat(out).contains("STATUS 200", "MODE 1");
        assertThat(line(out, "POLLERS ")).contains("Read-Poller").doesNotContain("MasterPoller");
    }

    @Test
    void byDefaultTheJdksDefaultStays() throws Exception {
        List<String> out = run(List.of());
        assertThat(out).contains("STATUS 200", "MODE null");
        if (Runtime.version().feature() >= 22) { // JDK 21 polls on platform threads by default
            assertThat(line(out, "POLLERS ")).contains("MasterPoller").doesNotContain("Read-Poller");
        }
    }

    @Test
    void aSchedulerCheckBringsPlatformPollersWhenTheSettingIsUnset() throws Exception {
        assumeThat(Runtime.version().feature()).as("the scheduler checks run on JDK 24 or later")
                .isGreaterThanOrEqualTo(24);
        for (String check : List.of("server.concurrency-limit.max-scheduler-wait=5ms",
                "server.concurrency-limit.max-scheduler-queue=50")) {
            List<String> out = run(List.of(), check);
            assertThat(out).as(check).contains("STATUS 200", "MODE 1");
            assertThat(line(out, "POLLERS ")).as(check).contains("Read-Poller").doesNotContain("MasterPoller");
            assertThat(text(out)).as(check).contains(SWITCHED, check.replace("=", ": "));
        }
    }

    @Test
    void aSchedulerCheckKeepsTheJdksPollersWhenTheSettingSaysSo() throws Exception {
        List<String> out = run(List.of(), "server.concurrency-limit.max-scheduler-wait=5ms",
                "server.platform-pollers=false");
        assertThat(out).contains("STATUS 200", "MODE null");
        assertThat(text(out)).doesNotContain(SWITCHED);
        if (Runtime.version().feature() >= 22) {
            assertThat(line(out, "POLLERS ")).contains("MasterPoller").doesNotContain("Read-Poller");
        }
    }

    @Test
    void aSchedulerCheckWithTheSettingOnSaysNothingOfIt() throws Exception {
        List<String> out = run(List.of(), "server.concurrency-limit.max-scheduler-wait=5ms",
                "server.platform-pollers=true");
        assertThat(out).contains("STATUS 200", "MODE 1");
        assertThat(text(out)).doesNotContain(SWITCHED);
    }

    @Test
    void aSchedulerCheckKeepsAModeTheJvmWasGiven() throws Exception {
        List<String> out = run(List.of("-Djdk.pollerMode=2"), "server.concurrency-limit.max-scheduler-wait=5ms");
        assertThat(out).contains("STATUS 200", "MODE 2");
        assertThat(text(out)).doesNotContain(SWITCHED);
    }

    @Test
    void aSchedulerCheckOfADisabledLimitChangesNoPollers() throws Exception {
        List<String> out = run(List.of(), "server.concurrency-limit.max-scheduler-wait=5ms",
                "server.concurrency-limit.enabled=false");
        assertThat(out).contains("STATUS 200", "MODE null");
        assertThat(text(out)).doesNotContain(SWITCHED);
    }

    @Test
    void aModeTheJvmWasGivenIsKept() throws Exception {
        List<String> out = run(List.of("-Djdk.pollerMode=2"), "server.platform-pollers=true");
        assertThat(out).contains("STATUS 200", "MODE 2");
        assertThat(line(out, "POLLERS ")).doesNotContain("Read-Poller");
    }

    @Test
    void aBadValueStopsStartUp() throws Exception {
        List<String> out = run(List.of(), "server.platform-pollers=sometimes");
        assertThat(text(out)).contains("server.platform-pollers").doesNotContain("STATUS 200");
    }

    /** The child JVM's whole output, its log included. */
    private static String text(List<String> out) {
        return String.join("\n", out);
    }

    private static String line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(
                "no line starting with " + prefix + " in " + out));
    }

    private static List<String> run(List<String> jvmOptions, String... properties) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PollersMain.class.getName()));
        command.addAll(List.of(properties));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return List.of(output.split("\\R"));
    }
}
