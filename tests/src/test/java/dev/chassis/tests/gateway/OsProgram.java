package dev.chassis.tests.gateway;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.chassis.testing.Eventually;

/**
 * A program from the OS (a Debian package) run as a child process, its output in a log file. Without the program a
 * test is skipped with a message — except under CI ({@code CI=true}), where that is a failure, since {@code .ci/run}
 * installs the package: these tests must never silently stop running. {@link #close()} ends the process and every
 * process it started, and waits until they are gone.
 */
final class OsProgram implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final Thread onExit;

    private OsProgram(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.onExit = new Thread(this::stop, name + "-reaper");
        Runtime.getRuntime().addShutdownHook(onExit); // also when the test JVM is stopped before @AfterAll
    }

    /** The program's path: on the PATH, or in /usr/sbin or /sbin (where Debian puts servers) for non-root users. */
    static Path require(String program, String debianPackage) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            Path p = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("no " + program + " on the PATH, and CI=true: .ci/run installs the Debian"
                    + " package " + debianPackage + "; these tests must not stop running silently");
        }
        assumeTrue(false, "no " + program + " on the PATH: install " + debianPackage + " (apt-get install "
                + debianPackage + ") to run this test; skipped");
        throw new AssertionError("unreachable");
    }

    /** Starts {@code command}, output to {@code log}, and waits until it accepts connections on {@code port}. */
    static OsProgram start(String name, List<String> command, Path log, int port) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OsProgram program = new OsProgram(name, process, log);
        try {
            Eventually.within(Duration.ofSeconds(30)).until(name + " listens on " + port + " (log: " + log + ")", () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + program.log());
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException | AssertionError e) {
            program.close();
            throw e;
        }
        return program;
    }

    /** What the program wrote so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e + ")";
        }
    }

    private void stop() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException notYet) {
                p.destroyForcibly();
                p.onExit().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** Ends the process and its children (SIGTERM, then SIGKILL after 10 s), and waits until they are gone. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs, or ran, anyway
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
