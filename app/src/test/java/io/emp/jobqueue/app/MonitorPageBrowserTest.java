package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static io.emp.jobqueue.app.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.app.NodeConfig.Role;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The monitor page in a real browser (Debian's headless chromium driven through chromedriver) against
 * real nodes sharing a real Redis, each with its own Vert.x: a node with every role (gateway, queue and
 * a machine of simulation workers) and, later, a second machine node. The operator's path through the
 * page: keys that are wrong, a job watched live, its detail and trace, a failed job retried from the page, a queue paused and resumed,
 * a second machine appearing, and the page at 420 px. Screenshots of the main views go to
 * {@code -Demp.screenshots=<dir>} (docs/images when refreshing the README's), else target/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitorPageBrowserTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String ADMIN = "monitor-admin-key-0123456789abcdef";
  static final String CLIENT = "monitor-client-key-0123456789abcdef";

  TestRedis redis;
  Node api;
  Node second;
  Path dir;
  Path machineConfig;
  JsonObject base;
  Vertx client;
  WebClient http;
  int port;
  ChromeDriver browser;
  Path shots;

  /** A failed test leaves the page as it was, as a screenshot beside the others (failed-<test>.png). */
  @RegisterExtension
  final TestWatcher onFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      try {
        screenshot("failed-" + context.getRequiredTestMethod().getName());
      } catch (Exception e) {
        cause.addSuppressed(e);
      }
    }
  };

  @BeforeAll
  void start() throws Exception {
    Path chromium = Path.of(System.getenv().getOrDefault("CHROME_BIN", "/usr/bin/chromium"));
    Path chromedriver = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    assertThat(chromium).as("the browser tests need Debian's chromium and chromium-driver: scripts/ensure-deps.sh "
        + "installs them as root; else apt-get install chromium chromium-driver (or set CHROME_BIN/CHROMEDRIVER)")
        .isExecutable();
    assertThat(chromedriver).as("chromedriver (Debian package chromium-driver)").isExecutable();

    redis = TestRedis.start();
    dir = Files.createTempDirectory("emp-monitor-page-");
    shots = Files.createDirectories(Path.of(System.getProperty("emp.screenshots", "target/monitor-screenshots")));
    String ns = "mp" + UUID.randomUUID().toString().substring(0, 8);
    base = new JsonObject()
        .put("queue", new JsonObject().put("store", new JsonObject().put("redis_url", redis.url()).put("namespace", ns)))
        // a fixed port: the restart test brings the node back where the page reconnects
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", port = freePort()))
        .put("telemetry", new JsonObject().put("environment", "test"))
        .put("machine", machineSection("ui-m1"))
        .put("worker", new JsonObject().put("concurrency", 2).put("results_dir", dir.resolve("results").toString())
            .put("connectors", new JsonObject().put("simulation", new JsonObject().put("steps", 1).put("step_ms", 1)
                .put("failure_probability", 0.0))));
    // the node re-reads this file on a reload: the retry test breaks and mends its backend with it
    machineConfig = dir.resolve("node.json");
    Files.writeString(machineConfig, base.encodePrettily());
    api = startAllRoles();
    client = Vertx.vertx();
    // a fresh connection per call: the gateway closes idle keep-alive connections (request_header_timeout_ms)
    http = WebClient.create(client, new WebClientOptions().setKeepAlive(false));

    ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1400,1000", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
  }

  /**
   * The embedded default: gateway, queue and a machine in one node, so its trace store holds whole
   * traces; its workers reload from {@link #machineConfig}.
   */
  Node startAllRoles() {
    return get(Node.start(new NodeConfig(Set.of(Role.API, Role.MACHINE), base, dir),
        Map.of("EMP_API_KEYS", ADMIN + ":*:admin," + CLIENT + ":acme:client"), false,
        () -> NodeConfig.load(Flags.parse(new String[] {"--roles", "api,machine", "--config", machineConfig.toString()}),
            Map.of(), dir)));
  }

  static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  JsonObject machineSection(String id) {
    return new JsonObject().put("profile", "sim-test-local-dev").put("machine_id", id)
        .put("profiles_dir", DocumentedTraceTest.conf("machines").toString())
        .put("work_dir", dir.resolve(id).toString()).put("health_host", "127.0.0.1").put("health_port", 0)
        .put("heartbeat_interval_ms", 500).put("status_interval_ms", 1_000).put("registration_ttl_ms", 5_000);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    for (Node n : new Node[] {second, api}) {
      if (n != null) {
        get(n.stop());
      }
    }
    if (client != null) {
      get(client.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @Order(1)
  void aWrongKeyAndAClientKeySayWhatIsWrongAndTheAdminKeyGoesLive() {
    browser.get(url());
    connectWith("not-a-key-at-all-0123456789");
    awaitText("#state", "invalid key");
    assertThat(visibleText("#banner")).contains("Invalid key");
    connectWith(CLIENT);
    awaitText("#state", "admin key required");
    assertThat(visibleText("#banner")).contains("Admin key required");
    connectWith(ADMIN);
    awaitText("#state", "live");
    assertThat(el("#banner").isDisplayed()).isFalse();
  }

  @Test
  @Order(2)
  void aJobIsWatchedLiveItsDetailShowsEventsAndTraceAndAReloadKeepsTheHistory() throws Exception {
    String id = submit(new JsonObject().put("steps", 20).put("step_ms", 250));
    String row = "#jobs tr[data-id='" + id + "']";
    // the row appears from job_submitted and moves on with the socket's events, no reload
    awaitText(row + " td.status", "in_progress");
    await().atMost(WAIT).ignoreExceptions().until(() -> !el(row + " td.worker").getText().isBlank()
        && !el(row + " .progress").getAttribute("title").equals("0%"));
    click(row);
    awaitText("#detail-id", id);
    await().atMost(WAIT).ignoreExceptions().until(() -> el("#detail-worker").getText().startsWith("ui-m1"));
    screenshot("monitor-live-job");

    awaitText("#detail-status", "completed");
    await().atMost(WAIT).ignoreExceptions().until(() -> visibleText("#detail-events").contains("complete_job"));
    assertThat(el("#detail-worker").getText()).as("a finished job has no current worker").isEmpty();
    assertThat(el("#detail-progress").getText()).isEmpty();
    assertThat(visibleText("#detail-events")).contains("job_submitted").contains("job_assigned");
    assertThat(visibleText("#detail-payload")).contains("\"steps\": 20");
    assertThat(visibleText("#detail-result")).isNotEqualTo("—");

    // the trace waterfall: the submit and the processing, every span clickable for its attributes and events
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(visibleText("#trace"))
        .contains(SpanName.REDIS_SUBMIT).contains(SpanName.JOB_PROCESSING));
    clickSpan(SpanName.JOB_PROCESSING);
    awaitText("#span-name", SpanName.JOB_PROCESSING);
    assertThat(visibleText("#span-attrs")).contains(Attr.JOB_ID).contains(id);
    clickSpan(SpanName.REDIS_SUBMIT);
    awaitText("#span-name", SpanName.REDIS_SUBMIT);
    // the submit span's events, each with its time and its offset into the span
    assertThat(visibleText("#span-events")).contains(EventName.REDIS_JOB_STORED);
    scrollTo("#detail-section");
    screenshot("monitor-job-detail");
    scrollTo("#trace-title");
    screenshot("monitor-trace");

    // a reload of the page: the history comes from the API (the key stays in the tab's session)
    browser.navigate().refresh();
    awaitText("#state", "live");
    awaitText(row + " td.status", "completed");
  }

  @Test
  @Order(3)
  void aFailedJobIsRetriedFromThePageAndCompletes() throws Exception {
    // the backend breaks: every simulated job fails for good
    setSimulation(1.0);
    String id;
    try {
      id = submit(new JsonObject().put("steps", 1).put("step_ms", 1));
      awaitText("#jobs tr[data-id='" + id + "'] td.status", "failed");
    } finally {
      setSimulation(0.0);
    }
    String row = "#jobs tr[data-id='" + id + "']";
    awaitText(row + " td.status", "failed");
    clickSpan(SpanName.REDIS_SUBMIT); // the previous job's span detail is open...
    click(row);
    awaitText("#detail-id", id);
    // ...and goes with it: nothing of the previous job stays on screen
    assertThat(el("#span-detail").getText()).startsWith("Click a span");
    awaitText("#detail-status", "failed");
    await().atMost(WAIT).ignoreExceptions().until(() -> visibleText("#detail-errors").contains("simulated failure"));

    assertThat(el("#detail-worker").getText()).as("no attempt runs").isEmpty();

    // the backend is mended (above); the operator retries the job from the page. The queue is held
    // (through the API) so the retried job waits where the page can be looked at
    post("/api/queues/simulation/pause");
    click("#act-retry");
    await().atMost(WAIT).until(() -> el("#modal").isDisplayed());
    assertThat(el("#modal-text").getText()).contains("Retry job " + id);
    click("#modal-ok");
    awaitText("#detail-status", "pending");
    awaitText(row + " td.status", "pending");
    // the waiting job shows no worker and no progress of its failed attempt
    assertThat(el("#detail-worker").getText()).isEmpty();
    assertThat(el("#detail-progress").getText()).isEmpty();
    assertThat(el(row + " td.worker").getText()).isEmpty();
    assertThat(browser.findElements(By.cssSelector(row + " .progress"))).isEmpty();
    post("/api/queues/simulation/resume");
    awaitText("#detail-status", "completed");
    await().atMost(WAIT).ignoreExceptions().until(() -> visibleText("#detail-events").contains("job_retried"));
    // the error chain of the failed attempt is kept
    assertThat(visibleText("#detail-errors")).contains("simulated failure");
    awaitText(row + " td.status", "completed");
    assertThat(status(id)).isEqualTo("completed");
  }

  @Test
  @Order(4)
  void failedJobsAreRetriedInBulkByFilterAfterADryRunCount() throws Exception {
    String svcFilter = "simulation";
    setSimulation(1.0);
    String a;
    String b;
    try {
      a = submit(new JsonObject().put("steps", 1).put("step_ms", 1));
      b = submit(new JsonObject().put("steps", 1).put("step_ms", 1));
      awaitText("#jobs tr[data-id='" + a + "'] td.status", "failed");
      awaitText("#jobs tr[data-id='" + b + "'] td.status", "failed");
    } finally {
      setSimulation(0.0);
    }
    new org.openqa.selenium.support.ui.Select(el("#f-status")).selectByVisibleText("failed");
    el("#f-service").clear();
    el("#f-service").sendKeys(svcFilter);
    click("#apply");
    awaitVisible("#jobs tr[data-id='" + a + "']");
    click("#bulk-retry");
    await().atMost(WAIT).until(() -> el("#modal").isDisplayed());
    // the dry run counted exactly the two failed jobs (the earlier failed job was retried and completed)
    assertThat(el("#modal-text").getText()).startsWith("Retry 2 failed job(s) of simulation");
    click("#modal-ok");
    await().atMost(WAIT).until(() -> "completed".equals(status(a)) && "completed".equals(status(b)));
    click("#clear");
    awaitText("#jobs tr[data-id='" + a + "'] td.status", "completed");
  }

  @Test
  @Order(5)
  void aRunningJobIsCancelledAndThenDeletedFromThePage() {
    String id = submit(new JsonObject().put("steps", 200).put("step_ms", 200));
    String row = "#jobs tr[data-id='" + id + "']";
    awaitText(row + " td.status", "in_progress");
    click(row);
    awaitText("#detail-id", id);
    click("#act-cancel");
    await().atMost(WAIT).until(() -> el("#modal").isDisplayed());
    click("#modal-ok");
    awaitText("#detail-status", "cancelled");
    awaitVisible("#act-delete");
    click("#act-delete");
    await().atMost(WAIT).until(() -> el("#modal").isDisplayed());
    assertThat(el("#modal-text").getText()).contains("Delete job " + id);
    click("#modal-ok");
    await().atMost(WAIT).ignoreExceptions().until(() -> el("#detail-title").getText().contains("deleted"));
    await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector(row)).isEmpty());
    assertThat(status(id)).isEqualTo("http_404");
  }

  @Test
  @Order(6)
  void pausingAQueueFromThePageStopsClaimsAndResumingRunsTheWaitingJob() throws Exception {
    String queueRow = "#queues tr[data-service='simulation']";
    awaitVisible(queueRow + " button.pause");
    awaitText(queueRow + " td.workers", "2"); // the first machine's two simulation workers
    click(queueRow + " button.pause");
    await().atMost(WAIT).until(() -> el("#modal").isDisplayed());
    click("#modal-ok");
    await().atMost(WAIT).ignoreExceptions().until(() -> el(queueRow).getText().contains("paused"));

    String id = submit(new JsonObject().put("steps", 1).put("step_ms", 1));
    String row = "#jobs tr[data-id='" + id + "']";
    awaitText(row + " td.status", "pending");
    // no worker claims it while the queue is paused (the page and the API agree)
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).ignoreExceptions()
        .until(() -> "pending".equals(el(row + " td.status").getText()) && "pending".equals(status(id)));
    await().atMost(WAIT).ignoreExceptions().until(() -> Integer.parseInt(el(queueRow + " td.pending").getText()) >= 1);
    scrollTo("#queues");
    screenshot("monitor-queues-paused");

    click(queueRow + " button.resume");
    await().atMost(WAIT).until(() -> el("#modal").isDisplayed());
    click("#modal-ok");
    awaitText(row + " td.status", "completed");
    await().atMost(WAIT).ignoreExceptions().until(() -> el(queueRow).getText().contains("active"));
  }

  @Test
  @Order(7)
  void aSecondMachineNodeAppearsWithItsWorkers() throws Exception {
    awaitVisible("#machines tr[data-machine='ui-m1']");
    JsonObject cfg = base.copy();
    cfg.put("machine", machineSection("ui-m2"));
    second = get(Node.start(new NodeConfig(Set.of(Role.MACHINE), cfg, dir), Map.of(), false));
    String m2 = "#machines tr[data-machine='ui-m2']";
    awaitVisible(m2);
    await().atMost(WAIT).ignoreExceptions().until(() -> el(m2).getText().contains("ready"));
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElements(By.cssSelector("#workers tr[data-worker]"))
        .stream().filter(w -> w.getText().contains("ui-m2")).count() >= 2);
    scrollTo("#machines");
    screenshot("monitor-machines");
  }

  @Test
  @Order(9)
  void whileTheNodeIsDownThePageSaysReconnectingAndComesBackWithTheHistory() {
    String someJob = browser.findElements(By.cssSelector("#jobs tr[data-id]")).get(0).getAttribute("data-id");
    get(api.stop());
    awaitText("#state", "reconnecting…");
    api = startAllRoles();
    awaitText("#state", "live");
    awaitVisible("#jobs tr[data-id='" + someJob + "']");
    // and live again: a new job shows up without a reload
    String id = submit(new JsonObject().put("steps", 1).put("step_ms", 1));
    awaitText("#jobs tr[data-id='" + id + "'] td.status", "completed");
  }

  @Test
  @Order(8)
  void atFourHundredTwentyPixelsNothingRunsOffTheSide() throws Exception {
    // first the whole page after the run above: queues, charts, the jobs of every test
    browser.manage().window().setSize(new Dimension(1400, 1300));
    js("window.scrollTo(0, 0)");
    // the throughput chart counts this run's jobs (five submitted above, from GET /api/activity)
    await().atMost(WAIT).ignoreExceptions().until(() -> Double.parseDouble(el("#chart-throughput")
        .getAttribute("data-total")) >= 5);
    screenshot("monitor-overview");
    // the SLA and capacity panels come from the node's analytics of the same jobs
    await().atMost(WAIT).ignoreExceptions().until(() -> el("#sla tr[data-tier='standard']").isDisplayed());
    await().atMost(WAIT).ignoreExceptions().until(() -> el("#capacity tr[data-service='simulation']").isDisplayed());
    browser.manage().window().setSize(new Dimension(420, 900));
    await().atMost(WAIT).until(() -> ((Number) js("return window.innerWidth")).intValue() <= 420);
    // wide tables scroll inside their panel; the page itself never scrolls sideways
    await().atMost(WAIT).until(() -> ((Number) js("return document.documentElement.scrollWidth")).intValue()
        <= ((Number) js("return window.innerWidth")).intValue());
    assertThat(el("#connect").isDisplayed()).isTrue();
    js("window.scrollTo(0, 0)");
    screenshot("monitor-narrow");
    browser.manage().window().setSize(new Dimension(1400, 1000));
  }

  // ------------------------------------------------------------------ helpers

  String url() {
    return "http://127.0.0.1:" + port + "/monitor";
  }

  void connectWith(String key) {
    WebElement input = el("#key");
    input.clear();
    input.sendKeys(key);
    click("#connect");
  }

  WebElement el(String css) {
    return browser.findElement(By.cssSelector(css));
  }

  String visibleText(String css) {
    return el(css).getText();
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  void awaitText(String css, String expected) {
    await().atMost(WAIT).ignoreExceptions().alias(css + " shows '" + expected + "'")
        .until(textOf(css), expected::equals);
  }

  Callable<String> textOf(String css) {
    return () -> el(css).getText().trim();
  }

  void awaitVisible(String css) {
    await().atMost(WAIT).ignoreExceptions().alias(css + " visible").until(() -> el(css).isDisplayed());
  }

  /**
   * Clicks the element once it is there and clickable: centred first (the sticky header must not take
   * the click); a panel re-rendered between finding and clicking is found again.
   */
  void click(String css) {
    await().atMost(WAIT).ignoreExceptions().alias("click " + css).until(() -> {
      WebElement e = el(css);
      js("arguments[0].scrollIntoView({block: 'center'})", e);
      e.click();
      return true;
    });
  }

  void clickSpan(String name) {
    await().atMost(WAIT).ignoreExceptions().alias("click span " + name).until(() -> {
      WebElement row = browser.findElements(By.cssSelector("#trace .bar-row")).stream()
          .filter(r -> r.getText().startsWith(name)).findFirst()
          .orElseThrow(() -> new AssertionError("no span " + name + " in " + visibleText("#trace")));
      js("arguments[0].scrollIntoView({block: 'center'})", row);
      row.click();
      return true;
    });
  }

  void scrollTo(String css) {
    ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView(); window.scrollBy(0, -50);", el(css));
  }

  void screenshot(String name) throws IOException {
    Files.write(shots.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  /** Rewrites the machine node's simulation settings and reloads its workers with them. */
  void setSimulation(double failureProbability) throws IOException {
    JsonObject cfg = new JsonObject(Files.readString(machineConfig));
    cfg.getJsonObject("worker").getJsonObject("connectors").getJsonObject("simulation")
        .put("failure_probability", failureProbability).put("failure_kind", "permanent");
    Files.writeString(machineConfig, cfg.encodePrettily());
    assertThat(get(api.reload("monitor page test"))).isNotEmpty().allMatch(r -> r.connector());
  }

  String submit(JsonObject payload) {
    var r = get(http.post(port, "127.0.0.1", "/api/jobs").bearerTokenAuthentication(ADMIN)
        .sendJsonObject(new JsonObject().put("service_required", "simulation").put("payload", payload)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject().getString("job_id");
  }

  JsonObject post(String path) {
    var r = get(http.post(port, "127.0.0.1", path).bearerTokenAuthentication(ADMIN).send());
    assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  /** The job's status from the API, or http_<code> when it has none (a deleted job: http_404). */
  String status(String id) {
    var r = get(http.get(port, "127.0.0.1", "/api/jobs/" + id).bearerTokenAuthentication(ADMIN).send());
    return r.statusCode() == 200 ? r.bodyAsJsonObject().getString("status") : "http_" + r.statusCode();
  }
}
