package dev.chassis.tests.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mvnw} finds a JDK 21+ when the default one is older, and says what to install when there is
 * none. The JDKs here are fake directories (a {@code release} file and executable stubs), since a test
 * cannot install or remove real JDKs; {@code CHASSIS_JDK_DIRS} points the search at them.
 */
class WrapperJdkDiscoveryTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    @Test
    void picksTheNewestJdk21PlusWhenJavaHomeIsOlder() throws Exception {
        Path old = fakeJdk("jdk-17", "17.0.9");
        fakeJdk("jdks/jdk-21", "21.0.2");
        Path newest = fakeJdk("jdks/jdk-23", "23.0.1");
        fakeJdk("jdks/jdk-11", "11.0.20");
        Result r = run("sh", "-c", ". \"$0\"/.mvn/find-jdk.sh; echo \"$JAVA_HOME\"", ROOT.toString(),
                Map.of("JAVA_HOME", old.toString(), "CHASSIS_JDK_DIRS", dir.resolve("jdks") + "/*"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo(newest.toString());
    }

    @Test
    void keepsJavaHomeWhenItIsAlready21Plus() throws Exception {
        Path current = fakeJdk("jdk-21", "21.0.2");
        fakeJdk("jdks/jdk-25", "25");
        Result r = run("sh", "-c", ". \"$0\"/.mvn/find-jdk.sh; echo \"$JAVA_HOME\"", ROOT.toString(),
                Map.of("JAVA_HOME", current.toString(), "CHASSIS_JDK_DIRS", dir.resolve("jdks") + "/*"));
        assertThat(r.out().trim()).isEqualTo(current.toString());
    }

    @Test
    void stopsWithOneClearLineWhenThereIsNoJdk21() throws Exception {
        Path old = fakeJdk("jdk-17", "17.0.9");
        Result r = run("sh", ROOT.resolve("mvnw").toString(), "-v",
                Map.of("JAVA_HOME", old.toString(), "CHASSIS_JDK_DIRS", dir.resolve("nothing-here") + "/*"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("Chassis needs a JDK 21 or newer, but found " + old + " (Java 17): install one"
                + " (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+) or set JAVA_HOME to it.");
    }

    private Path fakeJdk(String name, String version) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        for (String tool : new String[] {"java", "javac"}) {
            Path p = home.resolve("bin").resolve(tool);
            Files.writeString(p, "#!/bin/sh\necho 'openjdk version \"" + version + "\"' >&2\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String a, String b, String c, Map<String, String> env) throws Exception {
        return run(new String[] {a, b, c}, env);
    }

    private static Result run(String a, String b, String c, String d, Map<String, String> env) throws Exception {
        return run(new String[] {a, b, c, d}, env);
    }

    private static Result run(String[] command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }
}
