package dev.chassis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
    @TempDir
    Path dir;

    @Test
    void anOlderJavaGetsOneLineNamingItsVersionItsHomeAndTheFix() {
        assertThat(Launcher.javaProblem("17", "/usr/lib/jvm/java-17-openjdk-amd64", "target/hello-1.0.jar"))
                .isEqualTo("Chassis needs Java 21 or newer; this is Java 17 at /usr/lib/jvm/java-17-openjdk-amd64:"
                        + " set JAVA_HOME to a JDK 21+ and run \"$JAVA_HOME/bin/java\" -jar target/hello-1.0.jar"
                        + " (or put that JDK's bin first on PATH).");
        assertThat(Launcher.javaProblem("1.8", "/opt/jdk8/jre", "app.jar")).contains("this is Java 1.8 at /opt/jdk8/jre");
        assertThat(Launcher.javaProblem("20", "/j", "")).contains("-jar your-service.jar");
    }

    @Test
    void java21AndNewerHaveNoProblem() {
        assertThat(Launcher.javaProblem("21", "/j", "a.jar")).isNull();
        assertThat(Launcher.javaProblem("25", "/j", "a.jar")).isNull();
        assertThat(Launcher.javaProblem(System.getProperty("java.specification.version"), "/j", "a.jar")).isNull();
    }

    @Test
    void featureReleaseOfEverySpecificationVersionShape() {
        assertThat(Launcher.feature("1.8")).isEqualTo(8);
        assertThat(Launcher.feature("17")).isEqualTo(17);
        assertThat(Launcher.feature("21.0")).isEqualTo(21);
        assertThat(Launcher.feature("nonsense")).isZero();
        assertThat(Launcher.feature(null)).isZero();
    }

    @Test
    void runsTheManifestsMainClassWithTheArguments() throws Exception {
        manifest("Chassis-Main-Class: " + Greeter.class.getName());
        Result r = launch("ada", "bob");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).isEqualTo("hello [ada, bob]\n");
    }

    @Test
    void aJarWithoutMainClassSaysWhatToSetInThePom() throws Exception {
        manifest("Created-By: test");
        Result r = launch();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("no Chassis-Main-Class in its manifest").contains("<exec.mainClass>");
    }

    @Test
    void aMainClassThatIsNotThereIsNamed() throws Exception {
        manifest("Chassis-Main-Class: com.example.Missing");
        Result r = launch();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("Chassis-Main-Class com.example.Missing is not a class with a public static void"
                + " main(String[]) on the class path");
    }

    @Test
    void whatTheMainClassThrowsIsWhatTheJvmReports() throws Exception {
        manifest("Chassis-Main-Class: " + Failing.class.getName());
        Result r = launch();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("java.lang.IllegalStateException: port 8080 is taken")
                .doesNotContain("InvocationTargetException");
    }

    /** A service main for the tests. */
    public static final class Greeter {
        public static void main(String[] args) {
            System.out.println("hello " + List.of(args));
        }
    }

    /** A service main that fails. */
    public static final class Failing {
        public static void main(String[] args) {
            throw new IllegalStateException("port 8080 is taken");
        }
    }

    private void manifest(String attribute) throws IOException {
        Path meta = Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(meta.resolve("MANIFEST.MF"), "Manifest-Version: 1.0\n" + attribute + "\n\n");
    }

    private record Result(int exit, String out) { }

    private Result launch(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp",
                dir + File.pathSeparator + System.getProperty("java.class.path"), Launcher.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
