package dev.eventbank.localstack;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The query service's event browser page (/browser/) in headless Chromium against the local stack: a user
 * searches an account, reads its timeline, moves the time-travel slider back and sees the balance as it was.
 * Leaves a screenshot in {@code local-stack/target/event-browser.png}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} packages ({@code .ci/run} installs them); other
 * locations can be given with {@code -Dchromium.binary=...} and {@code -Dchromedriver.path=...}. The driver path
 * is always passed explicitly, so Selenium Manager never downloads anything. Without them the test fails (it
 * does not skip), saying what to install.
 */
class EventBrowserIT {

    private static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("chromedriver.path", "/usr/bin/chromedriver");
    private static final Duration UI_TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static LocalStack stack;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws IOException {
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
            fail("EventBrowserIT needs headless Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": install them with 'apt-get install -y --no-install-recommends chromium chromium-driver' (as .ci/run"
                    + " does), or pass -Dchromium.binary=... -Dchromedriver.path=...");
        }
        stack = LocalStack.start(TestStacks.home(), TestStacks.dataDir("EventBrowserIT"), StackPorts.free(), 3,
                Map.of("eventbank.commands.reply-timeout", "30s"), System.out);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldShowTheTimelineAndTheHistoricalBalanceWhenTheSliderIsMovedBack() throws Exception {
        // given: an account at version 4 (balances 100.00, 150.25, 120.00, 130.00)
        CommandClient commands = new CommandClient();
        CommandClient.Answer opened = commands.post(stack.commandUrl() + "/accounts",
                "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"100.00\"}");
        assertEquals(201, opened.status(), opened.body().toString());
        String id = opened.body().path("accountId").asText();
        assertEquals(200, commands.post(stack.commandUrl() + "/accounts/" + id + "/deposits", "{\"amount\":\"50.25\"}").status());
        assertEquals(200, commands.post(stack.commandUrl() + "/accounts/" + id + "/withdrawals", "{\"amount\":\"30.25\"}").status());
        assertEquals(200, commands.post(stack.commandUrl() + "/accounts/" + id + "/deposits", "{\"amount\":\"10.00\"}").status());
        HttpResponse<String> visible = HTTP.send(HttpRequest.newBuilder(
                URI.create(stack.queryUrl() + "/accounts/" + id + "?minVersion=4")).timeout(Duration.ofSeconds(30))
                        .header("Authorization", TestStacks.tellerAuthorization()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, visible.statusCode(), visible.body());

        // when: the user searches the account
        browser.get(stack.queryUrl() + "/browser/");
        // an auditor reads every account; the page sends the pasted token with every call (issue 15)
        browser.findElement(By.id("token")).sendKeys(TestStacks.bearer("auditor", "it-auditor").substring("Bearer ".length()));
        browser.findElement(By.id("account-id")).sendKeys(id);
        browser.findElement(By.id("search")).click();
        WebDriverWait wait = new WebDriverWait(browser, UI_TIMEOUT);
        wait.until(page -> page.findElements(By.cssSelector("#timeline tbody tr")).size() == 4);

        // then: the timeline in version order, with amounts and balances; the latest balance
        List<String> rows = browser.findElements(By.cssSelector("#timeline tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).subList(0, 4).stream().map(WebElement::getText).toList())
                .map(cells -> String.join(" ", cells)).toList();
        assertEquals(List.of("1 AccountOpened 100.00 100.00", "2 MoneyDeposited +50.25 150.25",
                "3 MoneyWithdrawn -30.25 120.00", "4 MoneyDeposited +10.00 130.00"), rows);
        assertEquals("130.00", browser.findElement(By.id("balance")).getText());
        assertTrue(browser.findElement(By.id("error")).getText().isBlank(), browser.findElement(By.id("error")).getText());

        // when: the slider goes back two versions (keyboard, as a user would; each step asks for that version)
        WebElement slider = browser.findElement(By.id("version-slider"));
        assertEquals("4", slider.getAttribute("max"));
        slider.sendKeys(Keys.ARROW_LEFT, Keys.ARROW_LEFT);

        // then: the balance as it was after version 2, and later events greyed out
        wait.until(page -> "2".equals(page.findElement(By.id("balance")).getAttribute("data-version")));
        assertEquals("150.25", browser.findElement(By.id("balance")).getText());
        assertEquals("as of version 2", browser.findElement(By.id("as-of")).getText());
        assertEquals(2, browser.findElements(By.cssSelector("#timeline tbody tr.future")).size());

        // and: the projection lag is shown (a figure, or "unknown" when the projection does not know it yet)
        wait.until(page -> !page.findElement(By.id("lag")).getText().endsWith("?"));
        String lag = browser.findElement(By.id("lag")).getText();
        assertFalse(lag.contains("unavailable"), lag);
        System.out.println("event-browser: " + lag);

        Path screenshot = TestStacks.home().resolve("local-stack/target/event-browser.png");
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        System.out.println("event-browser: screenshot " + screenshot);
    }

    @Test
    void shouldRenderTheOperationsOfBothServicesWhenSwaggerUiIsOpened() {
        for (String[] service : new String[][]{{stack.commandUrl(), "/accounts/{id}/deposits"},
                {stack.queryUrl(), "/accounts/{id}/events"}}) {
            // when
            browser.get(service[0] + "/swagger-ui/index.html");

            // then: Swagger UI loaded the generated document and lists the operation
            new WebDriverWait(browser, UI_TIMEOUT).until(page -> page.findElements(By.cssSelector(".opblock-summary-path"))
                    .stream().anyMatch(path -> service[1].equals(path.getAttribute("data-path"))));
        }
    }

}
