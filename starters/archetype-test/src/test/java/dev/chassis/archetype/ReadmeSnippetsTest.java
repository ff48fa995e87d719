package dev.chassis.archetype;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;

/**
 * The snippets of {@code README.md} are a project that builds, passes its tests and runs: its one {@code pom.xml}
 * (on {@code chassis-service-parent}) and its Java files, each a whole compilation unit starting with
 * {@code package}. The {@code java} snippets of {@code docs/*.md} start with their imports, and those that start with
 * {@code package} join the same project. It is built offline in a child Maven against the installed Chassis artifacts, as a user would, and its
 * jar is started with {@code java -jar}.
 */
class ReadmeSnippetsTest {
    private static final String VERSION = System.getProperty("chassis.version");
    private static final Path ROOT = Path.of(System.getProperty("chassis.root"));
    private static final Path REPOSITORY = Path.of(System.getProperty("chassis.repository"));
    private static final Pattern FENCE = Pattern.compile("^```(\\w*).*$");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern TYPE = Pattern.compile(
            "^(?:public\\s+)?(?:(?:final|abstract|sealed)\\s+)*(?:class|record|interface|enum)\\s+(\\w+)",
            Pattern.MULTILINE);

    private static Path project;
    private static String build;

    /** A fenced block of a Markdown file: its language, where it starts, and its text. */
    record Snippet(Path file, int line, String language, String text) {
        @Override
        public String toString() {
            return ROOT.relativize(file) + ":" + line;
        }
    }

    static List<Snippet> snippets(Path file) throws IOException {
        List<Snippet> snippets = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            int start = i + 1;
            for (i++; i < lines.size() && !lines.get(i).equals("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            snippets.add(new Snippet(file, start, open.group(1), text.toString()));
        }
        return snippets;
    }

    @BeforeAll
    @Timeout(900)
    static void buildTheReadmeAsAProject() throws Exception {
        List<Snippet> readme = snippets(ROOT.resolve("README.md"));
        List<Snippet> poms = readme.stream().filter(s -> s.language().equals("xml")).toList();
        assertThat(poms).as("README.md has one POM snippet, a whole pom.xml").hasSize(1);
        String pom = poms.get(0).text();
        assertThat(pom).as("the README's POM (%s)", poms.get(0)).contains("<project ")
                .contains("<artifactId>chassis-service-parent</artifactId>")
                .contains("<version>" + VERSION + "</version>");

        List<Snippet> java = new ArrayList<>(readme.stream().filter(s -> s.language().equals("java")).toList());
        for (Snippet s : java) {
            assertThat(s.text()).as("the README's Java snippet at %s is a whole file, with its package and imports", s)
                    .startsWith("package ");
        }
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                snippets(doc).stream().filter(s -> s.language().equals("java") && s.text().startsWith("package "))
                        .forEach(java::add);
            }
        }

        project = Files.createTempDirectory("chassis-readme");
        Files.writeString(project.resolve("pom.xml"), pom);
        Map<Path, Snippet> files = new LinkedHashMap<>();
        for (Snippet s : java) {
            Matcher pkg = PACKAGE.matcher(s.text());
            Matcher type = TYPE.matcher(s.text());
            assertThat(pkg.find() && type.find()).as("%s declares a package and a type", s).isTrue();
            String tree = s.text().contains("org.junit") ? "src/test/java" : "src/main/java";
            Path source = project.resolve(tree).resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
            Snippet before = files.put(source, s);
            assertThat(before).as("%s and %s are the same file %s", before, s, project.relativize(source)).isNull();
            Files.createDirectories(source.getParent());
            Files.writeString(source, s.text());
        }
        build = run(project, List.of(ROOT.resolve("mvnw").toString(), "-B", "-o",
                "-Dmaven.repo.local=" + REPOSITORY, "verify"), 10);
    }

    @Test
    void theReadmesTestsPass() {
        assertThat(build).contains("BUILD SUCCESS")
                .containsPattern("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0, .* in com.example.hello.HelloApiTest");
    }

    @Test
    void theGuidesTestShowingPostsPasses() {
        assertThat(build).containsPattern("Tests run: \\d+, Failures: 0, Errors: 0, Skipped: 0, .* in com.example"
                + ".notes.NotesApiTest");
    }

    @Test
    void everyJavaSnippetOfTheDocsShowsItsImports() throws IOException {
        List<Snippet> without = new ArrayList<>();
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                snippets(doc).stream().filter(s -> s.language().equals("java") && !s.text().startsWith("package ")
                        && !s.text().startsWith("import ")).forEach(without::add);
            }
        }
        assertThat(without).as("Java snippets of docs/*.md that do not start with their imports").isEmpty();
    }

    @Test
    @Timeout(120)
    void theJarRunsTheServiceOnThisJava() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process service = new ProcessBuilder(java(Path.of(System.getProperty("java.home"))), "-Dserver.port=" + port,
                "-jar", jar().toString()).redirectErrorStream(true)
                .redirectOutput(project.resolve("target/service.log").toFile()).start();
        try {
            TestClient client = new TestClient(URI.create("http://localhost:" + port));
            Eventually.within(Duration.ofSeconds(90)).until("the jar's service answers on port " + port, () -> {
                assertThat(service.isAlive()).as("the service is running; its output: %s", log()).isTrue();
                try {
                    return client.get("/hello/ada").status() == 200;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
            assertThat(client.get("/hello/ada").json().get("message").asText()).isEqualTo("Hello, ada!");
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    @Test
    void theJarSaysWhatIsWrongWithAnOlderJava() throws Exception {
        List<Path> older = new ArrayList<>();
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : jdks.filter(h -> Files.isRegularFile(h.resolve("release"))).toList()) {
                Matcher m = Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(Files.readString(home.resolve("release")));
                if (m.find() && Integer.parseInt(m.group(1)) < 21 && Files.isExecutable(Path.of(java(home)))) {
                    older.add(home);
                }
            }
        } catch (IOException none) {
            // no /usr/lib/jvm
        }
        assumeThat(older).as("a JDK older than 21 under /usr/lib/jvm to start the jar with").isNotEmpty();
        for (Path home : older) {
            String out = run(project, List.of(java(home), "-jar", jar().toString()), 1, 1);
            assertThat(out.strip()).startsWith("Chassis needs Java 21 or newer; this is Java ")
                    .contains(" at " + home.toRealPath().toString().replaceFirst("/jre$", ""))
                    .contains("set JAVA_HOME to a JDK 21+").doesNotContain("UnsupportedClassVersionError");
        }
    }

    private static String java(Path home) {
        return home.resolve("bin").resolve("java").toString();
    }

    private static Path jar() throws IOException {
        try (Stream<Path> jars = Files.list(project.resolve("target"))) {
            List<Path> found = jars.filter(p -> p.toString().endsWith(".jar")).toList();
            assertThat(found).as("the packaged jar").hasSize(1);
            assertThat(project.resolve("target/lib")).as("the jar's libraries").isDirectory();
            return found.get(0);
        }
    }

    private static String log() {
        try {
            return Files.readString(project.resolve("target/service.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String run(Path dir, List<String> cmd, int minutes) throws IOException, InterruptedException {
        return run(dir, cmd, minutes, 0);
    }

    private static String run(Path dir, List<String> cmd, int minutes, int exit) throws IOException,
            InterruptedException {
        Path log = Files.createTempFile("chassis-readme-build", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // the Maven JVM under the wrapper script
            p.destroyForcibly();
            throw new AssertionError(cmd + " in " + dir + " did not finish in " + minutes + " minutes; its output: " + log);
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertThat(p.exitValue()).as("%s in %s:%n%s", cmd, dir, text.length() > 20_000
                ? text.substring(text.length() - 20_000) : text).isEqualTo(exit);
        return text;
    }
}
