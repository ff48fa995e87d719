package dev.chassis.tests.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.chassis.launcher.AotTraining;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;

/**
 * The AOT cache of chassis-service-parent ({@code AotTraining}, the {@code java-aot} script): a training run makes the
 * cache, a service starts with it, and a changed class path, another JDK or a missing cache start it without the
 * cache and without a word. Real JVMs: the service runs from jars in a temporary directory, as in a container.
 */
class AotCacheTest {
    private static final String MAIN = AotApp.class.getName();

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void aTrainedCacheIsUsedWhileItFitsAndIgnoredSilentlyOtherwise() throws Exception {
        assumeThat(Runtime.version().feature()).as("a JDK 25+ makes AOT caches").isGreaterThanOrEqualTo(25);
        layout();
        AotTraining.main(new String[] {"--dir", dir.toString(), "--requests", "GET /aot,/missing", "--rounds", "5",
            "--timeout", "60", "--", "-cp", dir + "/*:" + dir + "/lib/*", MAIN});
        assertThat(dir.resolve(AotTraining.CACHE)).isRegularFile();
        assertThat(Files.size(dir.resolve(AotTraining.CACHE))).isGreaterThan(1 << 20);
        assertThat(Files.readString(dir.resolve(AotTraining.ID))).startsWith("java " + javaHome() + " ")
                .contains(" app.jar\n").contains(" lib/");

        Start fits = start(System.getProperty("java.home"));
        assertThat(fits.fromCache()).as("AotApp comes from the cache; output:%n%s", fits.output()).isTrue();
        assertThat(fits.output()).doesNotContain("[warning]").doesNotContain("[error]");

        // a jar changed after training (a JDK 25.0.3 would run the cached classes of the old one: JDK-8377932)
        Path lib = Files.list(dir.resolve("lib")).filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        FileTime trained = Files.getLastModifiedTime(lib);
        Files.setLastModifiedTime(lib, FileTime.fromMillis(trained.toMillis() + 5_000));
        Start changed = start(System.getProperty("java.home"));
        assertThat(changed.fromCache()).as("output:%n%s", changed.output()).isFalse();
        assertThat(changed.output()).doesNotContain("[warning]").doesNotContain("[error]");
        Files.setLastModifiedTime(lib, trained);

        // one more jar on the class path
        Files.copy(lib, dir.resolve("extra.jar"));
        assertThat(start(System.getProperty("java.home")).fromCache()).isFalse();
        Files.delete(dir.resolve("extra.jar"));
        assertThat(start(System.getProperty("java.home")).fromCache()).as("fits again").isTrue();

        // no cache
        Files.delete(dir.resolve(AotTraining.CACHE));
        Start none = start(System.getProperty("java.home"));
        assertThat(none.fromCache()).isFalse();
        assertThat(none.output()).doesNotContain("[warning]").doesNotContain("[error]");
    }

    @Test
    void anotherJdkNeverGetsTheCacheFlags() throws Exception {
        // a JDK 21 refuses -XX:AOTCache and -Xlog:aot: a fake one here prints the arguments it was given
        Files.write(dir.resolve(AotTraining.CACHE), new byte[] {1});
        Files.writeString(dir.resolve(AotTraining.ID), "java " + dir.resolve("jdk21") + " 21.0.2+13-LTS\n");
        AotTraining.main(new String[] {"--enabled", "false", "--dir", dir.toString()});
        assertThat(dir.resolve(AotTraining.CACHE)).as("off removes an earlier cache").doesNotExist();
        assertThat(dir.resolve(AotTraining.ID)).doesNotExist();
        try (var script = AotTraining.class.getResourceAsStream(AotTraining.SCRIPT + ".sh")) {
            Files.copy(script, dir.resolve(AotTraining.SCRIPT));
        }
        assertThat(dir.resolve(AotTraining.SCRIPT).toFile().setExecutable(true)).isTrue();
        Files.write(dir.resolve(AotTraining.CACHE), new byte[] {1});
        Files.writeString(dir.resolve(AotTraining.ID), "java " + javaHome() + " 25.0.3+9-LTS\n");
        Path bin = Files.createDirectories(dir.resolve("jdk21/bin"));
        Files.writeString(dir.resolve("jdk21/release"), "JAVA_RUNTIME_VERSION=\"21.0.2+13-LTS\"\n");
        Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"ARGS $*\"\n");
        assertThat(bin.resolve("java").toFile().setExecutable(true)).isTrue();
        ProcessBuilder pb = new ProcessBuilder(dir.resolve(AotTraining.SCRIPT).toString(), "-jar", "app.jar")
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", dir.resolve("jdk21").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("ARGS").doesNotContain("AOT").doesNotContain("aot");
    }

    @Test
    void badOptionsAndAServiceThatNeverGetsReadyFailTheTrainingWithTheReason() throws Exception {
        assertThatThrownBy(() -> AotTraining.main(new String[] {"--dir", dir.toString(), "--rounds", "0"}))
                .hasMessage("AotTraining: --rounds must be a positive integer, but was '0'");
        assertThatThrownBy(() -> AotTraining.main(new String[] {"--dir", dir.toString(), "--colour", "red"}))
                .hasMessageContaining("unknown options [--colour]");
        assertThatThrownBy(() -> AotTraining.main(new String[] {"--dir", dir.toString(), "--requests", "GET x"}))
                .hasMessageContaining("'GET x' is not [METHOD ]/path");
        assertThatThrownBy(() -> AotTraining.main(new String[] {"--dir", dir.toString(), "--ready", "health"}))
                .hasMessage("AotTraining: --ready must be a path (/health/started), but was 'health'");
        assertThatThrownBy(() -> AotTraining.main(new String[] {"--requests", "/a"}))
                .hasMessageContaining("--dir DIR is required");
        assumeThat(Runtime.version().feature()).isGreaterThanOrEqualTo(25);
        assertThatThrownBy(() -> AotTraining.main(new String[] {"--dir", dir.toString(), "--timeout", "30", "--",
            "-cp", System.getProperty("java.class.path"), "no.such.Main"}))
                .hasMessageContaining("exited with 1 before it was ready").hasMessageContaining("no.such.Main");
        assertThat(dir.resolve(AotTraining.ID)).doesNotExist();
    }

    /** {@code dir/app.jar} with {@link AotApp}, and every jar of this JVM's class path in {@code dir/lib}. */
    private void layout() throws IOException {
        Files.createDirectories(dir.resolve("lib"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            Path copy = dir.resolve("lib").resolve(p.getFileName());
            if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(copy)) {
                Files.copy(p, copy);
            }
        }
        try (OutputStream file = Files.newOutputStream(dir.resolve("app.jar"));
                JarOutputStream jar = new JarOutputStream(file)) {
            for (Class<?> c : List.of(AotApp.class, AotApp.Hello.class)) {
                String name = c.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(name));
                try (var in = c.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
    }

    private record Start(boolean fromCache, String output) {
    }

    /** Starts AotApp through {@code java-aot} with the JDK at {@code home}, waits for GET /aot, stops it. */
    private Start start(String home) throws Exception {
        int port = freePort();
        Path classes = Files.createTempFile(dir, "classes", ".log");
        Path log = Files.createTempFile(dir, "out", ".log");
        List<String> cmd = new ArrayList<>(List.of(dir.resolve(AotTraining.SCRIPT).toString(),
                "-Xlog:class+load=info:file=" + classes, "-Dserver.port=" + port,
                "-cp", dir + "/*:" + dir + "/lib/*", MAIN));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", home);
        Process p = pb.start();
        try {
            TestClient client = new TestClient(URI.create("http://127.0.0.1:" + port));
            Eventually.within(Duration.ofSeconds(60)).until("AotApp answers GET /aot", () -> {
                assertThat(p.isAlive()).as("AotApp runs; output:%n%s", read(log)).isTrue();
                try {
                    return client.get("/aot").status() == 200;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        boolean fromCache = Files.readString(classes).contains(MAIN + " source: shared objects file");
        return new Start(fromCache, Files.readString(log));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String javaHome() throws IOException {
        return new File(System.getProperty("java.home")).getCanonicalPath();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
