package dev.chassis.archetype;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;

/**
 * {@code mvn archetype:generate} with Chassis' coordinates gives a project that builds and passes its tests offline
 * against the installed Chassis artifacts (the README's test command, {@code ./mvnw install}, installs them before
 * this module runs). Both Maven runs are real, in child processes, through the repository's wrapper. Then the
 * service starts with {@code mvn exec:java} and with {@code java -jar}, without the JDK's native-access or
 * {@code sun.misc.Unsafe} warnings.
 */
class ArchetypeTest {
    private static final String VERSION = System.getProperty("chassis.version");
    private static final Path ROOT = Path.of(System.getProperty("chassis.root"));
    private static final Path REPOSITORY = Path.of(System.getProperty("chassis.repository"));

    private static String run(Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B", "-o",
                "-Dmaven.repo.local=" + REPOSITORY));
        cmd.addAll(args);
        Path log = Files.createTempFile("chassis-archetype-build", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // the Maven JVM under the wrapper script
            p.destroyForcibly();
            throw new AssertionError(args + " in " + dir + " did not finish in 10 minutes; its output: " + log);
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertThat(p.exitValue()).as("%s in %s:%n%s", args, dir, text.length() > 20_000
                ? text.substring(text.length() - 20_000) : text).isZero();
        return text;
    }

    @Test
    @Timeout(900)
    void aGeneratedProjectBuildsAndPassesItsTestsOffline() throws Exception {
        Path repo = REPOSITORY.resolve("dev").resolve("chassis");
        for (String artifact : List.of("chassis-archetype", "chassis-bom", "chassis-starter-service", "chassis-core")) {
            assertThat(repo.resolve(artifact).resolve(VERSION)).as("%s %s is installed (run ./mvnw install, the"
                    + " README's test command: the generated project builds against installed artifacts)", artifact,
                    VERSION).isDirectory();
        }
        String metadata = Files.readString(ROOT.resolve(
                "starters/archetype/src/main/resources/META-INF/maven/archetype-metadata.xml"));
        assertThat(metadata).as("the archetype's default Chassis version is this build's")
                .contains("<defaultValue>" + VERSION + "</defaultValue>");

        Path work = Files.createTempDirectory("chassis-archetype");
        // the plugin by its coordinates: offline, a prefix (archetype:) would need the plugin group's metadata
        run(work, List.of("org.apache.maven.plugins:maven-archetype-plugin:3.4.1:generate",
                "-DarchetypeGroupId=dev.chassis",
                "-DarchetypeArtifactId=chassis-archetype", "-DarchetypeVersion=" + VERSION,
                "-DgroupId=com.example", "-DartifactId=hello-orders", "-Dversion=1.0.0-SNAPSHOT",
                "-Dpackage=com.example.orders", "-DinteractiveMode=false"));
        Path project = work.resolve("hello-orders");
        for (String file : List.of("pom.xml", "Dockerfile", "README.md", "k8s/deployment.yaml",
                "src/main/proto/echo.proto", "src/main/resources/application.yaml",
                "src/main/java/com/example/orders/Main.java", "src/main/java/com/example/orders/GreetingApi.java",
                "src/main/java/com/example/orders/EchoService.java",
                "src/main/java/com/example/orders/GreetingEvents.java",
                "src/test/java/com/example/orders/ServiceTest.java")) {
            assertThat(project.resolve(file)).as("generated %s", file).isRegularFile();
        }
        assertThat(Files.readString(project.resolve("src/main/java/com/example/orders/Main.java")))
                .contains("package com.example.orders;").contains("Chassis.service(\"hello-orders\")");

        String build = run(project, List.of("verify"));
        assertThat(build).contains("Tests run: 6, Failures: 0, Errors: 0, Skipped: 0").contains("BUILD SUCCESS");
        assertThat(project.resolve("target/hello-orders-1.0.0-SNAPSHOT.jar")).isRegularFile();
        assertThat(project.resolve("target/lib")).isDirectory(); // what the Dockerfile copies

        // mvn exec:java runs the service in Maven's JVM, which .mvn/jvm.config gives its flags
        assertThat(project.resolve(".mvn/jvm.config")).isRegularFile();
        int port = freePort();
        // not offline: nothing in Chassis' own build brings exec-maven-plugin into the local repository
        String execJava = runUntilReady(project, port, List.of(ROOT.resolve("mvnw").toString(), "-B",
                "-Dmaven.repo.local=" + REPOSITORY, "exec:java", "-Dserver.port=" + port));
        assertThat(jdkWarnings(execJava)).as("exec:java's output:%n%s", execJava).isEmpty();
        // no issuer on a laptop: the POST's rule refuses every call, and start-up says so
        assertThat(execJava).contains("need a bearer token, but no token issuer is configured")
                .contains("GreetingApi.send(");

        // java -jar: the manifest grants native access; Java 24+ needs the Unsafe flag the README names
        port = freePort();
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 24) {
            java.add("--sun-misc-unsafe-memory-access=allow");
        }
        java.addAll(List.of("-Dserver.port=" + port, "-jar", "target/hello-orders-1.0.0-SNAPSHOT.jar"));
        String jar = runUntilReady(project, port, java);
        assertThat(jdkWarnings(jar)).as("java -jar's output:%n%s", jar).isEmpty();

        // package made the AOT cache (the generated pom sets chassis.aot; ./mvnw builds with this JDK) and
        // target/java-aot starts with it, as quietly as java -jar
        assertThat(build).contains("[chassis] AOT cache:");
        if (Runtime.version().feature() >= 25) {
            assertThat(project.resolve("target/app.aot")).isRegularFile();
            assertThat(project.resolve("target/app.aot.id")).isRegularFile();
        }
        int aotPort = freePort();
        java.set(0, project.resolve("target/java-aot").toString());
        java.set(java.indexOf("-Dserver.port=" + port), "-Dserver.port=" + aotPort);
        java.add(1, "-Xlog:class+load=info:file=target/class-load.log");
        String aot = runUntilReady(project, aotPort, java);
        assertThat(jdkWarnings(aot)).as("java-aot's output:%n%s", aot).isEmpty();
        assertThat(aot).as("java-aot's output").doesNotContain("[warning]").doesNotContain("[error]");
        if (Runtime.version().feature() >= 25) {
            assertThat(Files.readString(project.resolve("target/class-load.log")))
                    .contains("com.example.orders.Main source: shared objects file");
        }
    }

    /** The JDK's warnings about native access and {@code sun.misc.Unsafe} in a process's output. */
    private static List<String> jdkWarnings(String output) {
        return output.lines().filter(l -> l.startsWith("WARNING: ") && (l.contains("sun.misc.Unsafe")
                || l.contains("restricted method") || l.contains("native access") || l.contains("native-access")))
                .toList();
    }

    /** Starts {@code cmd}, waits until its service is ready on {@code port}, stops it, and returns its output. */
    private static String runUntilReady(Path dir, int port, List<String> cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("chassis-archetype-run", ".log");
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // the java target/java-aot runs
        Process p = builder.start();
        try {
            TestClient client = new TestClient(URI.create("http://localhost:" + port));
            Eventually.within(Duration.ofMinutes(3)).until(cmd + " answers /health/ready on " + port, () -> {
                assertThat(p.isAlive()).as("%s runs; its output:%n%s", cmd, read(log)).isTrue();
                try {
                    return client.get("/health/ready").status() == 200;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        } finally {
            p.descendants().forEach(ProcessHandle::destroy); // the JVM under the wrapper script
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        String text = read(log);
        Files.delete(log);
        return text;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
