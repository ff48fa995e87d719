package dev.chassis.samples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console against the running shop, in headless Chromium (Debian packages {@code chromium} and
 * {@code chromium-driver}, driven by Selenium through the installed driver): after the demo's scenario, the console
 * of orders shows the order's trace as one waterfall across orders, inventory and notifications with the right
 * nesting, the map shows the three services with orders' gRPC calls to inventory and its events to notifications,
 * orders' client secret is masked, and the messaging and data view shows orders' outbox and pool and notifications'
 * consumer lag.
 * Screenshots go to {@code target/console-screenshots}. Skipped without Chromium, failed under {@code CI=true}.
 */
class ShopConsoleTest {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File SCREENSHOTS = new File("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(600)
    void theConsoleOfOrdersShowsTheOrdersTraceAcrossTheThreeServices() throws Exception {
        boolean installed = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(installed).as("chromium and chromedriver are installed (.ci/run installs them)").isTrue();
        }
        assumeThat(installed).as("chromium and chromedriver are installed (Debian packages chromium, chromium-driver)")
                .isTrue();
        try (ShopSystem shop = ShopSystem.start(ShopSystem.Database.H2, System.out)) {
            Scenario.Result result = new Scenario(shop, System.out).run();
            ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build(), new ChromeOptions()
                    .setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                            "--window-size=1280,1800"));
            try {
                browser.get(shop.uri("orders") + "/console#trace=" + result.traceId());
                List<WebElement> rows = new WebDriverWait(browser, WAIT).withMessage("the waterfall of the order's trace")
                        .until(d -> {
                            List<WebElement> found = d.findElements(By.cssSelector("#waterfall .span-row"));
                            return found.stream().map(r -> r.getAttribute("data-service")).distinct().count() == 3
                                    ? found : null;
                        });
                Map<String, WebElement> byName = new HashMap<>();
                for (WebElement row : rows) {
                    byName.put(row.findElement(By.className("span-label")).getText(), row);
                }
                WebElement placed = row(byName, "orders POST /orders");
                WebElement reserve = row(byName, "orders shop.inventory.v1.Inventory/Reserve");
                WebElement reserved = row(byName, "inventory shop.inventory.v1.Inventory/Reserve");
                WebElement sent = row(byName, "orders send orders.placed");
                WebElement processed = row(byName, "notifications process orders.placed");
                assertThat(placed.getAttribute("data-depth")).isEqualTo("0");
                assertThat(parentOf(reserve)).isEqualTo(id(placed));
                assertThat(parentOf(reserved)).isEqualTo(id(reserve));
                assertThat(parentOf(processed)).isEqualTo(id(sent));
                assertThat(Integer.parseInt(reserved.getAttribute("data-depth")))
                        .isEqualTo(Integer.parseInt(reserve.getAttribute("data-depth")) + 1);
                assertThat(browser.findElements(By.cssSelector("#trace-legend span"))).extracting(WebElement::getText)
                        .containsExactlyInAnyOrder("orders", "inventory", "notifications");
                assertThat(browser.findElement(By.id("trace-unreached")).isDisplayed()).isFalse();
                screenshot(browser, "shop-trace", "traces");

                new WebDriverWait(browser, WAIT).withMessage("the map's three services, orders' calls to inventory and"
                        + " its events to notifications").until(d -> d.findElements(By.cssSelector("#service-map g.node"))
                        .size() == 3 && !d.findElements(By.cssSelector("#service-map g.edge[data-from='orders']"
                                + "[data-to='inventory'][data-protocol='grpc']")).isEmpty()
                        && !d.findElements(By.cssSelector("#service-map g.edge[data-from='orders'][data-to='notifications']"
                                + "[data-protocol='messaging']")).isEmpty());
                List<String> nodes = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class)
                        .until(d -> d.findElements(By.cssSelector("#service-map g.node")).stream()
                                .map(n -> n.getAttribute("data-service")).toList()); // redrawn every 10 s
                assertThat(nodes).containsExactlyInAnyOrder("orders", "inventory", "notifications");
                screenshot(browser, "shop-map", "map");

                WebElement secret = new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector(
                        "#config tr[data-key='clients.inventory.client-credentials.client-secret']")).stream()
                        .findFirst().orElse(null));
                assertThat(secret.findElements(By.tagName("td")).get(1).getAttribute("textContent")).isEqualTo("******");
                assertThat(browser.getPageSource()).doesNotContain("orders-dev-secret");

                // messaging and data: orders' outbox and pool, notifications' consumer lag
                waitForRow(browser, "chassis.outbox.backlog");
                waitForRow(browser, "db.client.connection.count");
                browser.get(shop.uri("notifications") + "/console");
                waitForRow(browser, "messaging.consumer.lag");
                String lag = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
                        d.findElement(By.cssSelector("#data tr[data-metric='messaging.consumer.lag']")).getText());
                assertThat(lag).contains("orders.placed");
                screenshot(browser, "shop-notifications-data", "messaging");
            } finally {
                browser.quit();
            }
        }
    }

    private static void waitForRow(ChromeDriver browser, String metric) {
        new WebDriverWait(browser, WAIT).withMessage("a row of " + metric).until(d -> !d.findElements(
                By.cssSelector("#data tr[data-metric='" + metric + "']")).isEmpty());
    }

    private static WebElement row(Map<String, WebElement> byName, String label) {
        assertThat(byName).as("the waterfall's rows").containsKey(label);
        return byName.get(label);
    }

    private static String id(WebElement row) {
        return row.getAttribute("data-span-id");
    }

    private static String parentOf(WebElement row) {
        return row.getAttribute("data-parent-id");
    }

    private static void screenshot(ChromeDriver browser, String name, String section) throws IOException {
        WebElement element = browser.findElement(By.id(section));
        browser.executeScript("arguments[0].scrollIntoView()", element);
        Files.createDirectories(SCREENSHOTS.toPath());
        Files.copy(element.getScreenshotAs(OutputType.FILE).toPath(), new File(SCREENSHOTS, name + ".png").toPath(),
                StandardCopyOption.REPLACE_EXISTING);
    }
}
