package io.emp.jobqueue.machine;

import static io.emp.jobqueue.machine.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineBootstrapTest {
  static TestRedis redis;
  static Vertx vertx;
  static InMemorySpanExporter exporter = InMemorySpanExporter.create();
  static Telemetry telemetry;
  static WebClient web;
  @TempDir
  Path dir;
  StoreConfig storeConfig;
  JobStore store;
  final List<JsonObject> statusEvents = new CopyOnWriteArrayList<>();
  Fixtures.FileServer files;
  io.vertx.core.eventbus.MessageConsumer<JsonObject> monitor;

  @BeforeAll
  static void up() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of(SimpleSpanProcessor.create(exporter)));
  }

  @AfterAll
  static void down() {
    telemetry.close();
    get(vertx.close());
    redis.close();
  }

  @BeforeEach
  void each() {
    exporter.reset();
    storeConfig = StoreConfig.defaults(redis.url()).withNamespace("m" + UUID.randomUUID().toString().substring(0, 8));
    store = get(JobStore.connect(vertx, storeConfig));
    files = new Fixtures.FileServer(vertx);
    monitor = vertx.eventBus().<JsonObject>consumer(MachineBootstrap.MONITOR_ADDRESS, m -> statusEvents.add(m.body()));
  }

  @AfterEach
  void after() {
    get(monitor.unregister());
    files.close();
    get(store.close());
  }

  MachineConfig config(MachineProfile profile) {
    return new MachineConfig("mach-" + UUID.randomUUID().toString().substring(0, 6), profile, dir.resolve("work"),
        dir.resolve("cache"), "127.0.0.1", 0, 200, 3_000, 200, "", 3, 10, storeConfig, null);
  }

  VerticleWorkerDeployer deployer(long workMs) {
    return new VerticleWorkerDeployer(vertx, (slot, machine) ->
        new TestWorkerVerticle(slot, machine, storeConfig, workMs));
  }

  static Map<String, Object> attrs(SpanData s) {
    return s.getAttributes().asMap().entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().getKey(), Map.Entry::getValue));
  }

  static SpanData span(String name) {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name));
  }

  static List<SpanData> childrenOf(SpanData parent) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
  }

  @Test
  void simTestLocalDevMachineRegistersAndItsWorkersProcessJobs() {
    MachineProfile profile = MachineProfiles.load(MachineProfileTest.CONF, "sim-test-local-dev");
    MachineConfig cfg = config(profile);
    MachineBootstrapVerticle verticle = new MachineBootstrapVerticle(cfg, telemetry, deployer(20));
    String deployment = get(vertx.deployVerticle(verticle));
    MachineBootstrap machine = verticle.machine();
    MachineRegistry registry = MachineRegistry.of(store);

    assertThat(machine.slots()).extracting(WorkerSlot::workerId)
        .containsExactly(cfg.machineId() + "-worker-simulation-0", cfg.machineId() + "-worker-simulation-1");
    JsonObject reg = get(registry.machine(cfg.machineId()));
    assertThat(reg.getString("profile")).isEqualTo("sim-test-local-dev");
    assertThat(reg.getString("gpu_count")).isEqualTo("0");
    for (WorkerSlot s : machine.slots()) {
      assertThat(get(registry.worker(s.workerId())).getString("machine_id")).isEqualTo(cfg.machineId());
    }

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(get(store.submit(JobSpec.of("simulation", 50, new JsonObject().put("n", i)))).jobId());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
        .allMatch(id -> get(store.get(id)).map(j -> j.status() == JobStatus.COMPLETED).orElse(false)));
    Set<String> workers = ids.stream().map(id -> get(store.get(id)).orElseThrow())
        .map(j -> j.result().getString("worker_id")).collect(Collectors.toSet());
    assertThat(workers).isNotEmpty().isSubsetOf(machine.slots().stream().map(WorkerSlot::workerId).toList());

    // Health endpoints on the machine's own port.
    int port = machine.healthPort();
    assertThat(get(web.get(port, "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
    assertThat(get(web.get(port, "127.0.0.1", "/ready").send()).statusCode()).isEqualTo(200);
    JsonObject status = get(web.get(port, "127.0.0.1", "/status").send()).bodyAsJsonObject();
    assertThat(status.getJsonObject("structure").getJsonObject("workers").size()).isEqualTo(2);
    assertThat(status.getJsonObject("status").getJsonObject("machine").getBoolean("ready")).isTrue();

    // Heartbeats keep the registration alive past its TTL, and periodic status events flow.
    long firstBeat = Long.parseLong(get(registry.machine(cfg.machineId())).getString("last_heartbeat", "0"));
    await().atMost(Duration.ofSeconds(30)).until(() -> Long.parseLong(
        get(registry.machine(cfg.machineId())).getString("last_heartbeat", "0")) > firstBeat);
    await().atMost(Duration.ofSeconds(30)).until(() -> types().containsAll(List.of("initial", "machine_ready",
        "periodic")));

    get(vertx.undeploy(deployment));

    assertThat(get(registry.machine(cfg.machineId()))).isEmpty();
    assertThat(get(registry.machineIds())).doesNotContain(cfg.machineId());
    assertThat(types()).contains("shutdown");
    assertThat(vertx.deploymentIDs()).isEmpty();
  }

  List<String> types() {
    return statusEvents.stream().map(e -> e.getString("update_type")).toList();
  }

  @Test
  void shutdownDrainsWorkersSoNoClaimedJobIsLeftBehind() {
    MachineProfile profile = MachineProfiles.load(MachineProfileTest.CONF, "sim-test-local-dev");
    MachineConfig cfg = config(profile);
    String deployment = get(vertx.deployVerticle(new MachineBootstrapVerticle(cfg, telemetry, deployer(400))));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(get(store.submit(JobSpec.of("simulation", 50, new JsonObject()))).jobId());
    }
    // Stop while the workers hold jobs.
    await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().anyMatch(id -> get(store.get(id))
        .map(j -> j.status() == JobStatus.ASSIGNED || j.status() == JobStatus.IN_PROGRESS).orElse(false)));

    get(vertx.undeploy(deployment));

    List<JobStatus> after = ids.stream().map(id -> get(store.get(id)).map(Job::status).orElseThrow()).toList();
    assertThat(after).allMatch(s -> s == JobStatus.COMPLETED || s == JobStatus.PENDING);
    assertThat(after).contains(JobStatus.COMPLETED);
  }

  @Test
  void aSecondMachineWithTheSameIdIsRefusedAndTheFirstKeepsItsRegistration() {
    MachineProfile profile = MachineProfiles.load(MachineProfileTest.CONF, "sim-test-local-dev");
    MachineConfig cfg = config(profile);
    MachineBootstrapVerticle first = new MachineBootstrapVerticle(cfg, telemetry, deployer(20));
    String deployment = get(vertx.deployVerticle(first));
    MachineRegistry registry = MachineRegistry.of(store);
    JsonObject before = get(registry.machine(cfg.machineId()));
    String workerId = first.machine().slots().get(0).workerId();

    Throwable refused = Fixtures.failure(vertx.deployVerticle(new MachineBootstrapVerticle(cfg, telemetry,
        deployer(20))));

    assertThat(refused).hasMessageContaining("machine id '" + cfg.machineId() + "' is already in use")
        .hasMessageContaining("EMP_MACHINE_ID");
    // the running machine is untouched: same instance, its workers still registered, heartbeats still land
    assertThat(get(registry.machine(cfg.machineId())).getString("instance")).isEqualTo(before.getString("instance"));
    assertThat(get(registry.worker(workerId)).getString("machine_id")).isEqualTo(cfg.machineId());
    String beat = get(registry.machine(cfg.machineId())).getString("last_heartbeat");
    await().atMost(Duration.ofSeconds(10)).until(() -> !beat.equals(get(registry.machine(cfg.machineId()))
        .getString("last_heartbeat")));
    assertThat(first.machine().ready()).isTrue();
    get(vertx.undeploy(deployment));
    assertThat(get(registry.machine(cfg.machineId()))).isEmpty();
  }

  @Test
  void aCrashedRunOfTheSameMachineIsWaitedOutNotRefused() {
    MachineProfile profile = MachineProfiles.load(MachineProfileTest.CONF, "sim-test-local-dev");
    MachineConfig cfg = config(profile);
    // what a killed run leaves: a registration that no longer beats and expires after its TTL
    get(MachineRegistry.of(store).register(cfg.machineId(), "killed-run", Map.of("status", "ready"), Map.of(),
        1_000, System.currentTimeMillis()));

    MachineBootstrapVerticle restarted = new MachineBootstrapVerticle(cfg, telemetry, deployer(20));
    long restarting = System.nanoTime();
    String deployment = get(vertx.deployVerticle(restarted));
    System.out.println("[reliability] machine restarted over its crashed run's registration (TTL 1000 ms): ready "
        + (System.nanoTime() - restarting) / 1_000_000 + " ms after the restart began");

    assertThat(restarted.machine().ready()).isTrue();
    assertThat(get(MachineRegistry.of(store).machine(cfg.machineId())).getString("instance"))
        .isNotEqualTo("killed-run");
    get(vertx.undeploy(deployment));
  }

  MachineProfile fullProfile(Path bare, byte[] model, String modelSha, List<String> serviceCmd) {
    JsonObject p = new JsonObject().put("name", "full-test").put("machine_type", "comfyui")
        .put("workers", "comfyui:1:mock_gpu,simulation:1")
        .put("environment", new JsonObject().put("variables", new JsonObject().put("A", "1"))
            .put("directories", new JsonArray().add("models")))
        .put("installation", new JsonObject().put("strategy", "parallel").put("max_concurrent", 2))
        .put("components", new JsonArray()
            .add(new JsonObject().put("name", "comfyui").put("type", "git_repo").put("url", bare.toString())
                .put("ref", "v1").put("target", "ComfyUI"))
            .add(new JsonObject().put("name", "flux").put("type", "model_download")
                .put("url", files.url("/flux.bin")).put("sha256", modelSha).put("target", "models/flux.bin")))
        .put("services", new JsonArray().add(new JsonObject().put("name", "comfyui").put("type", "comfyui")
            .put("instances", "per_worker").put("base_port", 0).put("health_path", "/health")
            .put("health_interval_ms", 100).put("command", new JsonArray(serviceCmd))));
    files.files.put("/flux.bin", model);
    return MachineProfile.fromJson(p);
  }

  @Test
  void completeStartupTraceHasEveryPhaseWithRealValues() throws Exception {
    Path bare = Fixtures.bareGitRepo(dir.resolve("git"));
    byte[] model = Fixtures.randomBytes(100_000, 7);
    List<String> cmd = new ArrayList<>(FakeService.command());
    cmd.addAll(List.of("--port", "{port}", "--delay-ms", "1000"));
    MachineConfig cfg = config(fullProfile(bare, model, Fixtures.sha256(model), cmd));
    MachineBootstrapVerticle verticle = new MachineBootstrapVerticle(cfg, telemetry, deployer(10));
    String deployment = get(vertx.deployVerticle(verticle));
    get(vertx.undeploy(deployment));

    SpanData root = span("machine.startup");
    assertThat(root.getParentSpanContext().isValid()).isFalse();
    Map<String, Object> r = attrs(root);
    assertThat(r).containsEntry("machine.id", cfg.machineId()).containsEntry("machine.profile", "full-test")
        .containsEntry("machine.type", "comfyui").containsEntry("workers.specification",
            "comfyui:1:mock_gpu,simulation:1")
        .containsEntry("machine.hardware.gpu_count", 0L).containsEntry("startup.phases_completed", 7L)
        .containsEntry("startup.ready_for_jobs", true).containsKeys("startup.total_duration_ms",
            "machine.hardware.cpu_cores", "machine.hardware.ram_gb", "container.platform");
    assertThat(childrenOf(root)).extracting(SpanData::getName).containsExactly("machine.startup.environment",
        "machine.startup.dependencies", "machine.startup.worker_bundle", "machine.startup.component_installation",
        "machine.startup.services", "machine.startup.worker_registration", "machine.startup.telemetry");
    assertThat(exporter.getFinishedSpanItems().stream().filter(s -> !s.getName().startsWith("send"))
        .map(SpanData::getTraceId).distinct()).containsExactly(root.getTraceId());

    assertThat(attrs(span("machine.startup.environment"))).containsEntry("directories.created_count", 4L)
        .containsEntry("environment.variables_loaded", 1L).containsEntry("permissions.setup_success", true);
    assertThat(attrs(span("machine.startup.dependencies"))).containsEntry("phase.skipped", true)
        .containsKey("phase.skip_reason");
    assertThat(attrs(span("machine.startup.worker_bundle"))).containsEntry("bundle.mode", "local");

    SpanData comps = span("machine.startup.component_installation");
    assertThat(attrs(comps)).containsEntry("components.total_count", 2L)
        .containsEntry("components.installation_strategy", "parallel").containsEntry("installation.cache_usage", 0L)
        .containsKeys("installation.parallel_efficiency", "installation.network_usage_mb");
    assertThat(childrenOf(comps)).extracting(SpanData::getName)
        .containsExactlyInAnyOrder("component.install.comfyui", "component.install.flux");

    SpanData services = span("machine.startup.services");
    assertThat(attrs(services)).containsEntry("services.total_count", 1L)
        .containsEntry("services.comfyui_instances", 1L).containsEntry("services.worker_instances", 2L)
        .containsEntry("startup.ready_state_reached", true);
    SpanData svc = childrenOf(services).get(0);
    assertThat(svc.getName()).isEqualTo("service.startup.comfyui-gpu0");
    assertThat((Long) attrs(svc).get("startup.duration_ms")).isGreaterThanOrEqualTo(1000L);

    Map<String, Object> reg = attrs(span("machine.startup.worker_registration"));
    assertThat(reg).containsEntry("registration.worker_count", 2L).containsEntry("readiness.machine_visible", true)
        .containsEntry("readiness.accepting_jobs", true).containsEntry("registration.heartbeat_established", true);
    assertThat((String) reg.get("registration.capabilities")).contains("comfyui", "simulation");
    assertThat(attrs(span("machine.startup.telemetry"))).containsEntry("otel.health_check_passed", true)
        .containsEntry("otel.collector_started", false);
    // The comfyui worker was bound to its service instance's port.
    assertThat(verticle.machine().slots().get(0).servicePort()).isNotNull()
        .isEqualTo(attrs(svc).get("resource.port_assigned") instanceof Long l ? l.intValue() : -1);
  }

  @Test
  void theHealthServerServesTheMachinesMetrics() throws Exception {
    Path bare = Fixtures.bareGitRepo(dir.resolve("git"));
    byte[] model = Fixtures.randomBytes(100_000, 9);
    List<String> cmd = new ArrayList<>(FakeService.command());
    cmd.addAll(List.of("--port", "{port}", "--delay-ms", "500"));
    MachineConfig cfg = config(fullProfile(bare, model, Fixtures.sha256(model), cmd));
    MachineBootstrapVerticle verticle = new MachineBootstrapVerticle(cfg, telemetry, deployer(10));
    String deployment = get(vertx.deployVerticle(verticle));
    try {
      String m = "machine=\"" + cfg.machineId() + "\"";
      var res = get(web.get(verticle.machine().healthPort(), "127.0.0.1", "/metrics").send());
      assertThat(res.statusCode()).isEqualTo(200);
      String body = res.bodyAsString();
      assertThat(body).contains("emp_machine_ready{" + m + "} 1.0")
          .contains("emp_machine_download_bytes_total{" + m + "} 100000.0")
          .contains("emp_machine_component_installs_total{" + m + ",outcome=\"installed\"} 2.0")
          .contains("emp_machine_download_duration_seconds_count{" + m + ",outcome=\"success\"} 1")
          .contains("emp_machine_health_check_duration_seconds_count{" + m + ",service=\"comfyui-gpu0\"} 1")
          .containsPattern("emp_machine_download_speed_bytes_per_second\\{" + m + "} [1-9]");
      for (String phase : List.of("environment", "dependencies", "worker_bundle", "component_installation",
          "services", "worker_registration", "telemetry")) {
        assertThat(body).contains("emp_machine_startup_phase_duration_seconds{" + m + ",phase=\"" + phase + "\"}");
      }
      double readiness = value(body, "emp_machine_service_readiness_seconds{" + m + ",service=\"comfyui-gpu0\"}");
      assertThat(readiness).as("the fake service answers after 500 ms").isGreaterThanOrEqualTo(0.5);
      double startup = value(body, "emp_machine_startup_duration_seconds{" + m + "}");
      assertThat(startup).isGreaterThanOrEqualTo(readiness);
      // the total stays put once the machine is up
      assertThat(value(get(web.get(verticle.machine().healthPort(), "127.0.0.1", "/metrics").send()).bodyAsString(),
          "emp_machine_startup_duration_seconds{" + m + "}")).isEqualTo(startup);
      io.emp.jobqueue.testing.Promtool.Result lint = io.emp.jobqueue.testing.Promtool.checkMetrics(body);
      assertThat(lint.output()).as("promtool check metrics on a machine node's scrape").isBlank();
      assertThat(lint.exitCode()).isZero();
    } finally {
      get(vertx.undeploy(deployment));
    }
  }

  static double value(String exposition, String series) {
    return exposition.lines().filter(l -> l.startsWith(series + " ")).map(l -> Double.parseDouble(l.substring(
        series.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError("no series " + series));
  }

  @Test
  void requiredComponentWithWrongChecksumFailsStartupWithAnErrorSpan() throws Exception {
    Path bare = Fixtures.bareGitRepo(dir.resolve("git"));
    byte[] model = Fixtures.randomBytes(50_000, 8);
    List<String> cmd = new ArrayList<>(FakeService.command());
    cmd.addAll(List.of("--port", "{port}"));
    MachineConfig cfg = config(fullProfile(bare, model, Fixtures.sha256(new byte[] {1}), cmd));

    Throwable err = Fixtures.failure(vertx.deployVerticle(new MachineBootstrapVerticle(cfg, telemetry,
        deployer(10))));

    assertThat(err).isInstanceOf(InstallException.class)
        .hasMessageContaining("required component flux failed: checksum mismatch");
    SpanData root = span("machine.startup");
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(attrs(root)).containsEntry("startup.ready_for_jobs", false).containsEntry("startup.phases_completed",
        3L);
    SpanData error = span("machine.error.component_install");
    assertThat(error.getTraceId()).isEqualTo(root.getTraceId());
    assertThat(attrs(error)).containsEntry("error.type", "checksum_mismatch")
        .containsEntry("debug.machine_id", cfg.machineId());
    assertThat(exporter.getFinishedSpanItems()).noneMatch(s -> s.getName().startsWith("service.startup."));
    assertThat(exporter.getFinishedSpanItems()).noneMatch(s -> s.getName().equals("machine.startup.services"));
    assertThat(get(MachineRegistry.of(store).machineIds())).isEmpty();
    assertThat(vertx.deploymentIDs()).isEmpty();
  }

  @Test
  void detectedGpusDecideHowManyGpuWorkersRun() throws Exception {
    Path smi = dir.resolve("nvidia-smi");
    java.nio.file.Files.writeString(smi, "#!/bin/sh\nprintf '" + HardwareDetectorTest.SAMPLE.replace("\n", "\\n")
        + "'\n");
    java.nio.file.Files.setPosixFilePermissions(smi, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    MachineProfile profile = MachineProfile.fromJson(new JsonObject().put("name", "gpu").put("machine_type", "comfyui")
        .put("workers", "comfyui:auto,comfyui:4:cpu"));
    MachineConfig c = config(profile);
    MachineConfig cfg = new MachineConfig(c.machineId(), profile, c.workDir(), c.cacheDir(), c.healthHost(), 0,
        c.heartbeatIntervalMs(), c.registrationTtlMs(), c.statusIntervalMs(), smi.toString(), 3, 10, storeConfig,
        null);
    MachineBootstrapVerticle verticle = new MachineBootstrapVerticle(cfg, telemetry, deployer(10));
    String deployment = get(vertx.deployVerticle(verticle));

    // Two GPUs: two GPU-bound comfyui workers, then the four CPU ones continue the numbering.
    assertThat(verticle.machine().slots()).extracting(WorkerSlot::workerId).containsExactly(
        cfg.machineId() + "-worker-comfyui-0", cfg.machineId() + "-worker-comfyui-1",
        cfg.machineId() + "-worker-comfyui-2", cfg.machineId() + "-worker-comfyui-3",
        cfg.machineId() + "-worker-comfyui-4", cfg.machineId() + "-worker-comfyui-5");
    assertThat(vertx.deploymentIDs()).hasSize(1 + 6);
    assertThat(attrs(span("machine.startup"))).containsEntry("machine.hardware.gpu_count", 2L);
    assertThat(get(MachineRegistry.of(store).worker(cfg.machineId() + "-worker-comfyui-1")).getString("gpu"))
        .isEqualTo("1");
    get(vertx.undeploy(deployment));
  }

  @Test
  void aServiceThatDiesForGoodMakesTheMachineUnready() throws Exception {
    List<String> cmd = new ArrayList<>(FakeService.command());
    cmd.addAll(List.of("--port", "{port}", "--crash-after-ms", "500"));
    MachineProfile profile = MachineProfile.fromJson(new JsonObject().put("name", "fragile")
        .put("machine_type", "comfyui").put("workers", "comfyui:1:mock_gpu")
        .put("services", new JsonArray().add(new JsonObject().put("name", "comfyui").put("base_port", 0)
            .put("health_path", "/health").put("health_interval_ms", 100).put("max_restarts", 0)
            .put("command", new JsonArray(cmd)))));
    MachineBootstrapVerticle verticle = new MachineBootstrapVerticle(config(profile), telemetry, deployer(10));
    String deployment = get(vertx.deployVerticle(verticle));
    int port = verticle.machine().healthPort();

    await().atMost(Duration.ofSeconds(30)).until(() -> get(web.get(port, "127.0.0.1", "/ready").send())
        .statusCode() == 503);

    await().atMost(Duration.ofSeconds(30)).until(() -> statusEvents.stream()
        .filter(e -> "event_driven".equals(e.getString("update_type")))
        .anyMatch(e -> e.getJsonObject("structure").getJsonArray("services").getJsonObject(0).getString("state")
            .equals("failed")));
    assertThat(get(web.get(port, "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
    get(vertx.undeploy(deployment));
  }
}
