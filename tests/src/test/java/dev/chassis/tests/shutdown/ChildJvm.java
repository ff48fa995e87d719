package dev.chassis.tests.shutdown;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code main} class run in its own JVM with this JVM's class path, its output (stdout and stderr together) read
 * line by line: for tests of what a real process does on SIGTERM.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private ChildJvm(Process process) {
        this.process = process;
        Thread.ofVirtual().start(this::read);
    }

    /** Starts {@code main} with the given program arguments. */
    static ChildJvm start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone; what it printed is kept
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /** The first line that matches, waiting at most {@code within}; fails with the output so far when none comes. */
    synchronized String await(Predicate<String> line, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        int from = 0;
        while (true) {
            for (; from < lines.size(); from++) {
                if (line.test(lines.get(from))) {
                    return lines.get(from);
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                throw new AssertionError("no such line " + (ended ? "before the process ended" : "within " + within)
                        + "; output:\n" + String.join("\n", lines));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** How many lines match, of those printed so far. */
    synchronized long count(Predicate<String> line) {
        return lines.stream().filter(line).count();
    }

    /** Everything printed, once the process has ended and its output is read to the end. */
    synchronized List<String> output() throws InterruptedException {
        while (!ended) {
            wait();
        }
        return List.copyOf(lines);
    }

    /** The port the child printed as {@code PORT <n>}. */
    int port(Duration within) throws InterruptedException {
        return Integer.parseInt(await(l -> l.startsWith("PORT "), within).substring(5).trim());
    }

    /** Sends SIGTERM, as an orchestrator does; our end of its output stays open. */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the process to end and returns its exit status. */
    int exitValue(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the process did not end within " + within);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
