package dev.chassis.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes a JDK 25+ AOT cache (JEP 483, 514, 515) for a service from a training run, and the script that uses it.
 *
 * <p>{@code java -cp chassis-launcher.jar dev.chassis.launcher.AotTraining --dir DIR [options] -- JAVA_ARGS...}
 * starts {@code java -XX:AOTCacheOutput=DIR/app.aot -Dserver.port=P JAVA_ARGS} with the {@code java} it runs on, waits
 * until {@code GET /health/ready} answers 200, sends the training requests, stops the service with SIGTERM (it drains,
 * then the JVM writes the cache) and writes three files into {@code DIR}:
 * <ul>
 *   <li>{@value #CACHE}: the cache;</li>
 *   <li>{@value #ID}: what the cache was made from: the JDK's home and {@code JAVA_RUNTIME_VERSION}, then size,
 *       modification time and name of every {@code DIR/*.jar} and {@code DIR/lib/*.jar};</li>
 *   <li>{@value #SCRIPT}: {@code java} with {@code -XX:AOTCache} only when the {@code java} that runs and the jars in
 *       {@code DIR} are still those of {@value #ID}, plain {@code java} otherwise (usage: {@code DIR/java-aot -jar
 *       app.jar}). The script checks because a JDK 25.0.3 uses a cache made from other jars without a word and runs
 *       the classes of the old ones (JDK-8377932, fixed in 25.0.4).</li>
 * </ul>
 *
 * <p>Options: {@code --requests "GET /a,POST /b,/c"} (each is sent {@code --rounds} times, default 20; the method
 * defaults to GET; a POST sends {@code {}}; any status counts, an answer is what trains), {@code --timeout SECONDS} to
 * become ready (default 120), {@code --ready PATH} (what answers 200 once the service is up; default
 * {@code /health/ready}, or {@code /health/started} for a service whose readiness needs what the training run has
 * not), {@code --port P} (the port the service is told to use in JAVA_ARGS; by default a free one, given as
 * {@code -Dserver.port}), {@code --enabled false} (only removes an earlier cache, without a word). On a Java older
 * than 25 it removes an earlier cache, writes the script and says why it skipped. A service that exits or is not ready
 * in time fails with its output's last lines: {@code IllegalStateException}.
 *
 * <p>Compiled for Java 8 like {@link Launcher}; not thread-safe; one training per call of {@link #main}.
 */
public final class AotTraining {
    /** The cache's file name in the directory. */
    public static final String CACHE = "app.aot";

    /** The name of the file that says what the cache was made from. */
    public static final String ID = "app.aot.id";

    /** The name of the script that starts java with the cache when it still fits. */
    public static final String SCRIPT = "java-aot";

    /** The first Java feature release with {@code -XX:AOTCacheOutput}. */
    public static final int REQUIRED_JAVA = 25;

    private static final int DEFAULT_ROUNDS = 20;
    private static final int DEFAULT_TIMEOUT_S = 120;
    private static final int STOP_TIMEOUT_S = 300;
    private static final int LOG_TAIL = 4000;

    private AotTraining() {
    }

    /**
     * Runs one training; see the class comment for the arguments.
     *
     * @param args options, {@code --}, then the java arguments that start the service
     * @throws Exception when the arguments are wrong, the service does not become ready, or no cache is written
     */
    public static void main(String[] args) throws Exception {
        int dash = Arrays.asList(args).indexOf("--");
        Map<String, String> options = options(dash < 0 ? args : Arrays.copyOf(args, dash));
        List<String> javaArgs = dash < 0 ? new ArrayList<String>()
                : new ArrayList<String>(Arrays.asList(args).subList(dash + 1, args.length));
        String dirName = options.remove("--dir");
        if (dirName == null) {
            throw new IllegalArgumentException("AotTraining: --dir DIR is required (where " + CACHE + " goes)");
        }
        File dir = new File(dirName).getAbsoluteFile();
        boolean enabled = !"false".equals(options.remove("--enabled"));
        List<String> requests = requests(options.remove("--requests"));
        int rounds = number(options, "--rounds", DEFAULT_ROUNDS);
        int timeout = number(options, "--timeout", DEFAULT_TIMEOUT_S);
        String ready = options.remove("--ready");
        if (ready == null) {
            ready = "/health/ready";
        } else if (!ready.startsWith("/")) {
            throw new IllegalArgumentException("AotTraining: --ready must be a path (/health/started), but was '" + ready
                    + "'");
        }
        String portOption = options.remove("--port");
        int port = portOption == null ? 0 : number("--port", portOption);
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("AotTraining: unknown options " + options.keySet() + "; known: --dir,"
                    + " --requests, --rounds, --timeout, --ready, --port, --enabled");
        }
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("AotTraining: cannot create " + dir);
        }
        Files.deleteIfExists(new File(dir, ID).toPath());
        Files.deleteIfExists(new File(dir, CACHE).toPath());
        if (!enabled) {
            return; // quietly: every project under chassis-service-parent runs this, most with the cache off
        }
        writeScript(dir);
        String home = new File(System.getProperty("java.home")).getCanonicalPath();
        int feature = Launcher.feature(System.getProperty("java.specification.version"));
        String version = runtimeVersion(new File(home));
        if (feature < REQUIRED_JAVA || version == null) {
            System.out.println("[chassis] AOT cache: skipped: Java " + feature + " at " + home + (version == null
                    ? " has no release file naming its version" : " has no AOT cache (Java 25 or newer makes one)"));
            return;
        }
        if (javaArgs.isEmpty()) {
            throw new IllegalArgumentException("AotTraining: after --, the java arguments that start the service"
                    + " (-jar app.jar, or -cp ... Main)");
        }
        long started = System.nanoTime();
        train(dir, javaArgs, ready, requests, rounds, timeout, port);
        Files.write(new File(dir, ID).toPath(), id(dir, home, version).getBytes(StandardCharsets.UTF_8));
        System.out.printf("[chassis] AOT cache: %s (%d MB) in %d s; start with %s%n", new File(dir, CACHE),
                new File(dir, CACHE).length() >> 20, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                new File(dir, SCRIPT));
    }

    /**
     * What a cache in {@code dir} made by the JDK at {@code home} depends on; {@value #SCRIPT} computes the same text.
     *
     * @param dir the directory of the cache and the jars
     * @param home the JDK's canonical home
     * @param version its {@code JAVA_RUNTIME_VERSION}
     * @return one line for the JDK, one per jar in {@code dir} and {@code dir/lib}, in name order
     */
    static String id(File dir, String home, String version) {
        StringBuilder id = new StringBuilder("java ").append(home).append(' ').append(version).append('\n');
        jars(dir, "", id);
        jars(new File(dir, "lib"), "lib/", id);
        return id.toString();
    }

    private static void jars(File dir, String prefix, StringBuilder id) {
        String[] names = dir.list();
        if (names == null) {
            return;
        }
        Arrays.sort(names); // the script sorts with LC_ALL=C: byte order, the same for ASCII names
        for (String name : names) {
            File f = new File(dir, name);
            if (name.endsWith(".jar") && f.isFile()) {
                id.append(f.length()).append(' ').append(f.lastModified() / 1000).append(' ').append(prefix)
                        .append(name).append('\n');
            }
        }
    }

    /** {@code JAVA_RUNTIME_VERSION} from the JDK's {@code release} file, or {@code null}. */
    static String runtimeVersion(File home) throws IOException {
        File release = new File(home, "release");
        if (!release.isFile()) {
            return null;
        }
        for (String line : Files.readAllLines(release.toPath(), StandardCharsets.UTF_8)) {
            if (line.startsWith("JAVA_RUNTIME_VERSION=\"") && line.endsWith("\"")) {
                return line.substring("JAVA_RUNTIME_VERSION=\"".length(), line.length() - 1);
            }
        }
        return null;
    }

    private static void train(File dir, List<String> javaArgs, String ready, List<String> requests, int rounds,
            int timeout, int fixedPort) throws Exception {
        int port = fixedPort > 0 ? fixedPort : freePort();
        List<String> cmd = new ArrayList<String>();
        cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        cmd.add("-XX:AOTCacheOutput=" + new File(dir, CACHE).getPath());
        if (fixedPort == 0) {
            cmd.add("-Dserver.port=" + port);
        }
        cmd.addAll(javaArgs);
        File log = new File(dir, CACHE + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        try {
            String base = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            while (status(base, "GET " + ready) != 200) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("AotTraining: the service exited with " + p.exitValue()
                            + " before it was ready (GET " + ready + "): " + cmd + "; its output ends with:\n" + tail(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("AotTraining: the service was not ready (GET " + ready + ") in "
                            + timeout + " s: " + cmd + "; its output ends with:\n" + tail(log));
                }
                Thread.sleep(50);
            }
            Map<String, Integer> statuses = new TreeMap<String, Integer>();
            for (int i = 0; i < rounds; i++) {
                for (String request : requests) {
                    String key = request + " " + status(base, request);
                    Integer n = statuses.get(key);
                    statuses.put(key, n == null ? 1 : n + 1);
                }
            }
            System.out.println("[chassis] AOT cache: trained with " + statuses);
        } finally {
            p.destroy(); // SIGTERM: the service drains and stops, then the JVM writes the cache
            if (!p.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
        if (!new File(dir, CACHE).isFile()) {
            throw new IllegalStateException("AotTraining: the JVM wrote no " + CACHE + " at exit: " + cmd
                    + "; its output ends with:\n" + tail(log));
        }
    }

    /** Sends {@code "[METHOD ]PATH"} and reads the whole answer; its status, or -1 when nothing answered. */
    static int status(String base, String request) {
        int space = request.indexOf(' ');
        String method = space < 0 ? "GET" : request.substring(0, space);
        String path = space < 0 ? request : request.substring(space + 1);
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(base + path).openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(10_000);
            c.setRequestMethod(method);
            if ("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method)) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write("{}".getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            if (in != null) {
                try (InputStream body = in) {
                    byte[] buffer = new byte[8192];
                    while (body.read(buffer) >= 0) {
                        // the answer is read to the end so that the connection is reused
                    }
                }
            }
            return status;
        } catch (IOException notYet) {
            return -1;
        }
    }

    private static List<String> requests(String list) {
        List<String> requests = new ArrayList<String>();
        if (list != null) {
            for (String r : list.split(",")) {
                String request = r.trim().replaceAll("\\s+", " ");
                if (request.isEmpty()) {
                    continue;
                }
                int slash = request.indexOf('/');
                if (slash < 0 || (slash > 0 && !request.substring(0, slash).trim().matches("[A-Z]+"))) {
                    throw new IllegalArgumentException("AotTraining: --requests entry '" + request + "' is not"
                            + " [METHOD ]/path (e.g. GET /greetings/ada)");
                }
                requests.add(request);
            }
        }
        return requests;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new TreeMap<String, String>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("AotTraining: expected --option value, got '" + args[i] + "'");
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static int number(Map<String, String> options, String name, int fallback) {
        String value = options.remove(name);
        return value == null ? fallback : number(name, value);
    }

    private static int number(String name, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("AotTraining: " + name + " must be a positive integer, but was '" + value
                + "'");
    }

    private static void writeScript(File dir) throws IOException {
        File script = new File(dir, SCRIPT);
        try (InputStream in = AotTraining.class.getResourceAsStream(SCRIPT + ".sh")) {
            if (in == null) {
                throw new IOException("AotTraining: " + SCRIPT + ".sh is missing from chassis-launcher");
            }
            Files.copy(in, script.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!script.setExecutable(true, false)) {
            throw new IOException("AotTraining: cannot make " + script + " executable");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String tail(File log) {
        try {
            String text = new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8);
            return text.length() > LOG_TAIL ? text.substring(text.length() - LOG_TAIL) : text;
        } catch (IOException e) {
            return e.toString();
        }
    }
}
