package dev.chassis.archetype;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mvn archetype:generate} with Chassis' coordinates gives a project that builds and passes its tests offline
 * against the installed Chassis artifacts (the README's test command, {@code ./mvnw install}, installs them before
 * this module runs). Both Maven runs are real, in child processes, through the repository's wrapper.
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
        assertThat(build).contains("Tests run: 4, Failures: 0, Errors: 0, Skipped: 0").contains("BUILD SUCCESS");
        assertThat(project.resolve("target/hello-orders-1.0.0-SNAPSHOT.jar")).isRegularFile();
        assertThat(project.resolve("target/lib")).isDirectory(); // what the Dockerfile copies
    }
}
