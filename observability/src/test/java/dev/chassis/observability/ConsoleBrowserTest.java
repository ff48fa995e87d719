package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.opentelemetry.api.trace.Span;

/**
 * The console in a real browser: headless Chromium driven by Selenium through the installed chromedriver (Debian
 * packages {@code chromium} and {@code chromium-driver}; nothing is downloaded). "orders" (console on its management
 * port) calls "stock": the page shows the service, a route's row, the effective configuration with the secret masked,
 * a trace's waterfall joined across both services with the right nesting, an error trace marked, a health check going
 * DOWN, the service map, and a peer that cannot be reached. Screenshots go to {@code target/console-screenshots}.
 * Skipped without Chromium, failed under {@code CI=true} ({@code .ci/run} installs the packages).
 */
class ConsoleBrowserTest {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File SCREENSHOTS = new File("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);
    static final Setting<String> API_KEY = Setting.string("payments.api-key", null).secret()
            .describedAs("the payment provider's key");
    static final AtomicBoolean STOCK_READY = new AtomicBoolean(true);

    private static ChromeDriver browser;

    @Client("stock")
    @Path("/stock")
    public interface StockApi {
        @Get
        @Path("/{sku}")
        String stock(@PathParam("sku") String sku);
    }

    @Path("/stock")
    public static final class StockService implements StockApi {
        @Override
        public String stock(String sku) {
            if (sku.equals("broken")) {
                throw new IllegalStateException("the shelf fell");
            }
            return sku + " 7";
        }
    }

    @Path("/orders")
    public static final class Orders {
        private final StockApi stock;

        Orders(StockApi stock) {
            this.stock = stock;
        }

        @Get
        @Path("/{id}")
        public String order(@PathParam("id") String id) {
            return stock.stock(id.startsWith("bad") ? "broken" : "pen") + " " + Span.current().getSpanContext().getTraceId();
        }

        @Get
        public List<String> all() {
            return List.of();
        }
    }

    @RegisterExtension
    @Order(1)
    static final TestService stock = TestService.of(() -> Chassis.service("stock").http(new StockService()));

    @RegisterExtension
    @Order(2)
    static final TestService orders = TestService.of(() -> {
        var b = Chassis.service("orders").version("2.0.1").property("management.port", "0")
                .property("clients.stock.url", stock.uri().toString())
                .property("clients.stock.circuit-breaker.enabled", "true")
                .settings(API_KEY).property(API_KEY.key(), "sk-live-123")
                .healthCheck(HealthCheck.readiness("stock-shelf", () -> STOCK_READY.get() ? Health.up()
                        : Health.down("the shelf is being restocked")));
        return b.http(new Orders(b.client(StockApi.class)));
    });

    @RegisterExtension
    @Order(3)
    static final TestService lonely = TestService.of(() -> Chassis.service("lonely")
            .property("clients.gone.url", "http://127.0.0.1:" + closedPort())
            .property("observability.console.peers", "gone")
            .http(new StockService()));

    @BeforeAll
    static void openBrowser() throws IOException {
        boolean installed = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(installed).as("chromium and chromedriver are installed (.ci/run installs them)").isTrue();
        }
        assumeThat(installed).as("chromium and chromedriver are installed (Debian packages chromium, chromium-driver)")
                .isTrue();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1800");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS.toPath());
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void thePageShowsTheServiceItsRoutesAndItsConfigurationWithTheSecretMasked() {
        order("o-1");
        open(orders, "");
        waitFor(By.id("service-name"), "orders");
        assertThat(browser.findElement(By.id("service-version")).getText()).isEqualTo("2.0.1");
        waitFor(By.id("service-instance"), "instance orders-"); // redrawn every second, with the uptime
        waitFor(By.cssSelector("#routes tr[data-name='GET /orders/{id}']"), "GET /orders/{id}");
        waitFor(By.cssSelector("#clients tr[data-name='stock (http)']"), "stock (http)");
        waitFor(By.cssSelector("#resilience tr[data-breaker] td:nth-child(2)"), "closed");
        waitFor(By.cssSelector("#resilience tr[data-budget='stock'] td:nth-child(3)"), "retries left");
        // sortable: by total (the default: /orders/{id} has had more requests than /orders), then by route
        assertThat(orders.client().get("/orders").status()).isEqualTo(200);
        order("o-1b");
        order("o-1c");
        waitFor(By.cssSelector("#routes tr[data-name='GET /orders']"), "GET /orders");
        assertThat(routes()).containsExactly("GET /orders/{id}", "GET /orders");
        browser.findElement(By.cssSelector("#routes th[data-key='name']")).click();
        assertThat(routes()).containsExactly("GET /orders", "GET /orders/{id}");
        WebElement secret = waitFor(By.cssSelector("#config tr[data-key='payments.api-key'] td:nth-child(2)"),
                Setting.MASK);
        assertThat(secret.getText()).isEqualTo(Setting.MASK);
        assertThat(browser.getPageSource()).doesNotContain("sk-live-123");
        Object loaded = browser.executeScript("const n = performance.getEntriesByType('navigation')[0];"
                + " return n.loadEventEnd - n.startTime;");
        System.out.println("the console loaded in " + loaded + " ms (navigation start to load event)");
        screenshot("traffic", "traffic");
    }

    @Test
    void aTraceIsOneWaterfallAcrossBothServices() {
        String traceId = order("o-2");
        open(orders, "#traces");
        By row = By.cssSelector("#trace-list tr[data-trace-id='" + traceId + "']");
        waitFor(row, "GET /orders/{id}");
        click(row);
        List<WebElement> spans = new WebDriverWait(browser, WAIT).until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("#waterfall .span-row"));
            return found.size() == 3 ? found : null;
        });
        assertThat(spans).extracting(s -> s.getAttribute("data-service")).containsExactly("orders", "orders", "stock");
        assertThat(spans).extracting(s -> s.getAttribute("data-depth")).containsExactly("0", "1", "2");
        assertThat(spans.get(1).getAttribute("data-parent-id")).isEqualTo(spans.get(0).getAttribute("data-span-id"));
        assertThat(spans.get(2).getAttribute("data-parent-id")).isEqualTo(spans.get(1).getAttribute("data-span-id"));
        assertThat(spans.get(2).getText()).contains("stock", "GET /stock/{sku}");
        assertThat(browser.findElements(By.cssSelector("#trace-legend span"))).extracting(WebElement::getText)
                .containsExactly("orders", "stock");
        assertThat(browser.findElement(By.id("trace-unreached")).isDisplayed()).isFalse();
        screenshot("trace", "traces");
    }

    @Test
    void anErrorTraceIsMarked() {
        TestResponse failed = orders.client().get("/orders/bad-1");
        assertThat(failed.status()).isEqualTo(502); // stock failed: a bad gateway for orders
        String traceId = failed.json().get("traceId").asText();
        open(orders, "#traces");
        browser.findElement(By.id("errors-only")).click();
        By row = By.cssSelector("#trace-list tr.trace-error[data-trace-id='" + traceId + "']");
        waitFor(row, "ERROR");
        click(row);
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#waterfall .span-row.error[data-service='stock']")));
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row.error"))).hasSizeGreaterThanOrEqualTo(2);
        screenshot("error-trace", "traces");
    }

    @Test
    void aHealthCheckGoingDownShowsWithinTheRefreshInterval() {
        open(orders, "");
        By status = By.cssSelector("#health tr[data-probe='ready'][data-check='stock-shelf'] td:nth-child(3)");
        waitFor(status, "UP");
        STOCK_READY.set(false);
        try {
            waitFor(status, "DOWN");
            waitFor(By.cssSelector("#health tr[data-probe='ready'][data-check='stock-shelf']"), "the shelf is being restocked");
        } finally {
            STOCK_READY.set(true);
        }
    }

    @Test
    void theMapShowsBothServicesAndTheirEdge() {
        order("o-3");
        open(orders, "#map");
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#service-map g.edge[data-from='orders'][data-to='stock']")));
        List<String> nodes = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
                d.findElements(By.cssSelector("#service-map g.node")).stream().map(n -> n.getAttribute("data-service")).toList());
        assertThat(nodes).containsExactlyInAnyOrder("orders", "stock");
        screenshot("map", "map");
    }

    @Test
    void aPeerThatCannotBeReachedIsNamedBesideWhatIsShown() {
        assertThat(lonely.client().get("/stock/pen").status()).isEqualTo(200);
        String traceId = Eventually.within(WAIT).get("the request's trace in lonely's store", () -> {
            for (JsonNode t : lonely.client().get("/observe/traces").json().path("traces")) {
                if (t.get("root").asText().equals("GET /stock/{sku}")) {
                    return t.get("traceId").asText();
                }
            }
            return "";
        }, t -> !t.isEmpty());
        open(lonely, "#trace=" + traceId);
        waitFor(By.cssSelector("#trace-unreached div[data-service='gone']"), "connection refused");
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row"))).hasSize(1);
    }

    @Test
    void anUnknownTraceSaysSo() {
        open(orders, "#trace=" + "ab".repeat(16));
        waitFor(By.id("trace-problem"), "no span of trace");
    }

    private static void open(TestService service, String fragment) {
        browser.get(service.managementUri().resolve("/console") + fragment);
        if (!fragment.isEmpty()) {
            browser.navigate().refresh(); // the same page with another fragment is not reloaded by get()
        }
    }

    /** Clicks what the locator finds, again if the list it is in was redrawn meanwhile (it refreshes every 5 s). */
    private static void click(By locator) {
        new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(locator).click();
            return true;
        });
    }

    /** The routes table's rows, read again if the table was redrawn meanwhile (it refreshes every 3 s). */
    private static List<String> routes() {
        return new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> d.findElements(
                By.cssSelector("#routes tbody tr")).stream().map(r -> r.getAttribute("data-name")).toList());
    }

    private static WebElement waitFor(By locator, String text) {
        return new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class)
                .withMessage(() -> locator + " containing '" + text + "'").until(d -> {
            List<WebElement> found = d.findElements(locator);
            return found.isEmpty() || !found.get(0).getText().contains(text) ? null : found.get(0);
        });
    }

    private static String order(String id) {
        TestResponse r = orders.client().get("/orders/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String body = r.body().replace("\"", "");
        String traceId = body.substring(body.lastIndexOf(' ') + 1);
        // the span of the stock call ends after the response: wait until both stores hold the trace
        Eventually.within(WAIT).until("the trace in both stores", () ->
                stock.client().get("/observe/traces/" + traceId).status() == 200
                        && orders.managementClient().get("/observe/traces/" + traceId).json().path("spans").size() == 2);
        return traceId;
    }

    /** One section of the page, saved as {@code target/console-screenshots/<name>.png}. */
    private static void screenshot(String name, String section) {
        WebElement element = browser.findElement(By.id(section));
        browser.executeScript("arguments[0].scrollIntoView()", element);
        File shot = element.getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), new File(SCREENSHOTS, name + ".png").toPath(), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
