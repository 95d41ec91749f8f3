package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.ServiceName;
import static io.emp.jobqueue.machine.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceSupervisorTest {
  static Vertx vertx;
  static HttpClient http;
  static InMemorySpanExporter exporter = InMemorySpanExporter.create();
  static Telemetry telemetry;
  @TempDir
  Path dir;
  ServiceSupervisor supervisor;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of(SimpleSpanProcessor.create(exporter)));
  }

  @AfterAll
  static void down() {
    telemetry.close();
    get(vertx.close());
  }

  @BeforeEach
  void create() {
    exporter.reset();
    supervisor = new ServiceSupervisor(vertx, http, telemetry.tracer(ServiceName.BOOTSTRAP), dir.resolve("logs"),
        () -> { });
  }

  @AfterEach
  void stop() {
    get(supervisor.stopAll());
  }

  static ServiceSpec spec(String name, List<String> extraArgs, int maxRestarts, long stopGraceMs) throws Exception {
    List<String> cmd = new ArrayList<>(FakeService.command());
    cmd.addAll(List.of("--port", "{port}"));
    cmd.addAll(extraArgs);
    return new ServiceSpec(name, "fake", cmd, true, 0, 0, "/health", 60_000, 100, maxRestarts, 100, stopGraceMs,
        Map.of("FAKE_GPU", "{gpu}"), null);
  }

  List<ServiceInstance> plan(ServiceSpec s, int workers) throws Exception {
    List<WorkerSlot> slots = WorkerSpec.parse("fake:" + workers + ":mock_gpu", Set0.EMPTY).resolve("m1", 0);
    return ServicePlanner.plan(List.of(s), slots, dir, "m1", Map.of("PROFILE_VAR", "1"));
  }

  /** No GPU-bound types: bindings come from the spec. */
  private static final class Set0 {
    static final java.util.Set<String> EMPTY = java.util.Set.of();
  }

  @Test
  void slowServiceIsReadyOnlyOnceItsHealthEndpointAnswers() throws Exception {
    List<ServiceInstance> instances = plan(spec("slow", List.of("--delay-ms", "2500"), 3, 5000), 2);
    assertThat(instances).extracting(ServiceInstance::name).containsExactly("slow-gpu0", "slow-gpu1");

    List<ServiceSupervisor.Started> started = get(supervisor.startAll(instances, Context.root()));

    assertThat(started).allSatisfy(s -> {
      assertThat(s.process().state()).isEqualTo(SupervisedProcess.State.HEALTHY);
      // Ready no earlier than the service's own start delay: the health poll waited for it.
      assertThat(s.readiness().readyMs()).isGreaterThanOrEqualTo(2500);
      assertThat(s.readiness().statusCode()).isEqualTo(200);
    });
    assertThat(supervisor.allHealthy()).isTrue();
    Path log = started.get(0).process().logFile();
    assertThat(Files.readString(log)).contains("fake service starting", "fake service ready");
    SpanData span = exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("service.startup.slow-gpu1")).findFirst().orElseThrow();
    assertThat(span.getAttributes().asMap().toString()).contains("resource.gpu_assigned=1", "service.binding=mock_gpu",
        "health.status_code=200");
    assertThat(span.getAttributes().asMap().keySet().stream().map(k -> k.getKey()))
        .contains("startup.first_log_received_ms", "startup.duration_ms", "health.endpoint");
  }

  @Test
  void crashedServiceIsRestartedAndBecomesHealthyAgain() throws Exception {
    Path marker = dir.resolve("crashed-once");
    List<ServiceInstance> instances = plan(spec("crashy", List.of("--crash-marker", marker.toString(),
        "--crash-after-ms", "300"), 3, 5000), 1);
    ServiceSupervisor.Started s = get(supervisor.startAll(instances, Context.root())).get(0);
    long healthy = System.nanoTime();

    await().atMost(Duration.ofSeconds(60)).until(() -> s.process().restarts() == 1
        && s.process().state() == SupervisedProcess.State.HEALTHY);
    System.out.println("[reliability] service crashing 300 ms after start: healthy again "
        + (System.nanoTime() - healthy) / 1_000_000 + " ms after it first turned healthy (1 restart)");

    String log = Files.readString(s.process().logFile());
    assertThat(log).contains("fake service crashing");
    // Each run logs its pid: two runs, the second is the live one, the first is gone.
    List<Long> pids = java.util.regex.Pattern.compile("pid (\\d+)").matcher(log).results()
        .map(m -> Long.parseLong(m.group(1))).toList();
    assertThat(pids).hasSize(2);
    assertThat(s.process().pid()).isEqualTo(pids.get(1)).isNotEqualTo(pids.get(0));
    assertThat(ProcessHandle.of(pids.get(0)).map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
  }

  @Test
  void serviceThatKeepsCrashingStopsAtTheRestartLimit() throws Exception {
    List<ServiceInstance> instances = plan(spec("broken", List.of("--crash-after-ms", "100"), 2, 5000), 1);
    // Whether the first start reports healthy or not is a race with the crash; the end state is not.
    supervisor.startAll(instances, Context.root());
    await().atMost(Duration.ofSeconds(60)).until(() -> supervisor.processes().size() == 1
        && supervisor.processes().get(0).state() == SupervisedProcess.State.FAILED);

    SupervisedProcess p = supervisor.processes().get(0);
    assertThat(p.restarts()).isEqualTo(2);
    assertThat(supervisor.allHealthy()).isFalse();
    assertThat(Files.readString(p.logFile()).split("fake service starting", -1)).hasSize(4);
  }

  @Test
  void stopSendsSigtermFirstAndKillsAfterTheGracePeriod() throws Exception {
    List<ServiceInstance> polite = plan(spec("polite", List.of(), 3, 10_000), 1);
    List<ServiceInstance> stubborn = plan(spec("stubborn", List.of("--ignore-term"), 3, 500), 1);
    List<ServiceInstance> both = new ArrayList<>(polite);
    both.addAll(stubborn);
    List<ServiceSupervisor.Started> started = get(supervisor.startAll(both, Context.root()));
    List<Long> pids = started.stream().map(x -> x.process().pid()).toList();

    get(supervisor.stopAll());

    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
    }
    assertThat(started).allMatch(x -> x.process().state() == SupervisedProcess.State.STOPPED);
    assertThat(Files.readString(started.get(0).process().logFile())).contains("stopped gracefully");
    assertThat(Files.readString(started.get(1).process().logFile())).contains("got SIGTERM, ignoring");
  }

  @Test
  void serviceThatNeverTurnsHealthyFailsTheStartWithItsName() throws Exception {
    ServiceSpec s = spec("mute", List.of("--delay-ms", "600000"), 0, 1000);
    s = new ServiceSpec(s.name(), s.type(), s.command(), true, 0, 0, "/health", 1500, 100, 0, 100, 1000, Map.of(),
        null);
    Throwable err = Fixtures.failure(supervisor.startAll(plan(s, 1), Context.root()));
    assertThat(err).isInstanceOf(ServiceStartException.class).hasMessageContaining("mute-gpu0")
        .hasMessageContaining("not healthy within 1500 ms");
  }
}
