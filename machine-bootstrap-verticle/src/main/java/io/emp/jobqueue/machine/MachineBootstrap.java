package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.core.telemetry.Seed;
import io.emp.jobqueue.core.telemetry.Seed.MachineAttr;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.Version;
import io.emp.jobqueue.queue.bus.NodeIdentity;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.queue.store.MachineIdTakenException;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Brings a machine up, phase by phase, in one {@code machine.startup} trace (seed §6): environment,
 * dependencies, worker bundle, component installation, services, worker registration, telemetry.
 * Then keeps it registered (heartbeats), reports its status on {@link #MONITOR_ADDRESS} and its
 * workers' heartbeats on {@link MonitorNotices#WORKERS} (bus and Redis monitor stream, so every
 * gateway sees them), and on {@link #stop()} drains workers before stopping services, so no claimed
 * job is lost. An admin drain ({@link Controls#machine}, or the drain mark in its registration, read
 * at each heartbeat) makes its workers stop claiming while their running jobs finish.
 */
public final class MachineBootstrap {
  /** Event-bus address of machine status events; every gateway's monitor forwards it. */
  public static final String MONITOR_ADDRESS = MonitorNotices.MACHINES;
  public static final int PHASE_COUNT = 7;
  public static final long TELEMETRY_FLUSH_TIMEOUT_MS = 5_000;
  private static final System.Logger LOG = System.getLogger(MachineBootstrap.class.getName());
  private static final RateLimitedLog HEARTBEAT_WARNINGS = new RateLimitedLog(LOG, "machine heartbeat");

  /** Update types of status events, as the reference's aggregator names them. */
  public enum Update { INITIAL, PERIODIC, EVENT_DRIVEN, MACHINE_READY, SHUTDOWN;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Vertx vertx;
  private final MachineConfig cfg;
  private final Telemetry telemetry;
  private final Tracer tracer;
  private final WorkerDeployer deployer;
  private final HttpClient http;
  private final long startedAt = System.currentTimeMillis();
  /** This run of the machine: the holder of its machine id in the registry. */
  private final String instance = java.util.UUID.randomUUID().toString();
  private final List<String> deployments = new CopyOnWriteArrayList<>();
  private final ServiceSupervisor supervisor;
  private final MachineMetrics metrics;
  private volatile String phase = "created";
  private volatile boolean ready;
  private volatile HardwareInfo hardware;
  private volatile List<WorkerSlot> slots = List.of();
  private volatile JobStore store;
  private volatile MachineRegistry registry;
  private volatile HealthServer healthServer;
  private volatile MonitorNotices notices;
  private volatile boolean draining;
  /** From start to ready (ms), -1 until then: reported in the registration (GET /api/machines). */
  private volatile long startupDurationMs = -1;
  private MessageConsumer<JsonObject> control;
  private long heartbeatTimer = -1;
  private long statusTimer = -1;
  private int phasesCompleted;

  public MachineBootstrap(Vertx vertx, MachineConfig cfg, Telemetry telemetry, WorkerDeployer deployer) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.telemetry = telemetry;
    this.tracer = telemetry.tracer(Seed.Service.BOOTSTRAP);
    this.deployer = deployer;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.supervisor = new ServiceSupervisor(vertx, http, tracer, cfg.logDir(),
        () -> publish(Update.EVENT_DRIVEN));
    this.metrics = new MachineMetrics(telemetry.metrics(), cfg.machineId());
  }

  public boolean ready() {
    return ready && supervisor.allHealthy();
  }

  public List<WorkerSlot> slots() {
    return slots;
  }

  public ServiceSupervisor supervisor() {
    return supervisor;
  }

  /** The bound health port (after start). */
  public int healthPort() {
    return healthServer == null ? -1 : healthServer.port();
  }

  // ------------------------------------------------------------------ startup

  public Future<Void> start() {
    MachineProfile p = cfg.profile();
    Span root = tracer.spanBuilder(Seed.Span.MACHINE_STARTUP).setNoParent()
        .setAttribute(MachineAttr.MACHINE_ID, cfg.machineId())
        .setAttribute(MachineAttr.MACHINE_TYPE, p.machineType())
        .setAttribute(MachineAttr.MACHINE_PROFILE, p.name())
        .setAttribute(MachineAttr.WORKERS_SPECIFICATION, p.workers())
        .setAttribute(MachineAttr.CONTAINER_PLATFORM, platform())
        .setAttribute(Seed.Attr.DEPLOYMENT_ENVIRONMENT, telemetry.config().environment())
        .setAttribute(MachineAttr.DEPLOYMENT_VERSION, Version.current())
        .startSpan();
    if (telemetry.config().region() != null) {
      root.setAttribute(Seed.Attr.DEPLOYMENT_REGION, telemetry.config().region());
    }
    String image = System.getenv("CONTAINER_IMAGE");
    if (image != null && !image.isBlank()) {
      root.setAttribute(MachineAttr.CONTAINER_IMAGE, image);
    }
    Context ctx = Context.root().with(root);
    long t0 = System.nanoTime();
    metrics.startupBegan(this::ready);
    return phase(ctx, Seed.Span.STARTUP_ENVIRONMENT, s -> environment(s, root))
        .compose(v -> phase(ctx, Seed.Span.STARTUP_DEPENDENCIES, this::dependencies))
        .compose(v -> phase(ctx, Seed.Span.STARTUP_WORKER_BUNDLE, this::workerBundle))
        .compose(v -> phase(ctx, Seed.Span.STARTUP_COMPONENTS, this::components))
        .compose(v -> phase(ctx, Seed.Span.STARTUP_SERVICES, this::services))
        .compose(v -> phase(ctx, Seed.Span.STARTUP_REGISTRATION, s -> registration(s, t0)))
        .compose(v -> phase(ctx, Seed.Span.STARTUP_TELEMETRY, this::telemetryPhase))
        .andThen(ar -> {
          metrics.startupEnded();
          root.setAttribute(MachineAttr.STARTUP_TOTAL_DURATION_MS, ms(t0));
          root.setAttribute(MachineAttr.STARTUP_PHASES_COMPLETED, phasesCompleted);
          root.setAttribute(MachineAttr.STARTUP_READY_FOR_JOBS, ar.succeeded());
          if (ar.failed()) {
            root.setStatus(StatusCode.ERROR, ar.cause().getMessage());
            root.recordException(ar.cause());
          }
          root.end();
        })
        .compose(v -> {
          startupDurationMs = ms(t0);
          ready = true;
          phase = "ready";
          LOG.log(System.Logger.Level.INFO, "machine " + cfg.machineId() + " (" + p.name() + ") ready in " + ms(t0)
              + " ms with " + deployments.size() + " worker(s) and " + supervisor.processes().size()
              + " service(s)");
          publish(Update.MACHINE_READY);
          return Future.<Void>succeededFuture();
        }, err -> {
          phase = "failed";
          LOG.log(System.Logger.Level.ERROR, "machine " + cfg.machineId() + " failed to start: " + err.getMessage());
          return shutdown().transform(x -> Future.failedFuture(err));
        });
  }

  private Future<Void> phase(Context parent, String name, Function<Span, Future<Void>> body) {
    phase = name;
    long t = System.nanoTime();
    Span span = tracer.spanBuilder(name).setParent(parent).startSpan();
    Future<Void> f;
    try {
      f = body.apply(span);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.andThen(ar -> {
      metrics.phase(name, System.nanoTime() - t);
      if (ar.succeeded()) {
        phasesCompleted++;
      } else {
        span.setStatus(StatusCode.ERROR, ar.cause().getMessage());
        span.recordException(ar.cause());
      }
      span.end();
    });
  }

  private static void skipped(Span span, String reason) {
    span.setAttribute(MachineAttr.PHASE_SKIPPED, true);
    span.setAttribute(MachineAttr.PHASE_SKIP_REASON, reason);
  }

  private Future<Void> environment(Span span, Span root) {
    MachineProfile p = cfg.profile();
    return vertx.executeBlocking(() -> {
      List<Path> dirs = new ArrayList<>(List.of(cfg.workDir(), cfg.cacheDir(), cfg.logDir()));
      p.directories().forEach(d -> dirs.add(cfg.workDir().resolve(d)));
      int created = 0;
      boolean writable = true;
      for (Path d : dirs) {
        if (!Files.isDirectory(d)) {
          Files.createDirectories(d);
          created++;
        }
        writable &= Files.isWritable(d);
      }
      span.setAttribute(MachineAttr.DIRECTORIES_CREATED, created);
      span.setAttribute(MachineAttr.PERMISSIONS_SUCCESS, writable);
      // Only whether the secrets are present, never their values.
      boolean secrets = p.secrets().stream().allMatch(s -> System.getenv(s) != null && !System.getenv(s).isBlank());
      span.setAttribute(MachineAttr.ENV_SECRETS_AVAILABLE, secrets);
      span.setAttribute(MachineAttr.ENV_VARIABLES_LOADED, p.variables().size());
      span.setAttribute(MachineAttr.ENV_JAVA_VERSION, Runtime.version().toString());
      if (!writable) {
        throw new IllegalStateException("work directories are not writable: " + dirs);
      }
      return null;
    }, false).compose(v -> new HardwareDetector(cfg.nvidiaSmi()).detect(vertx, cfg.workDir())).map(hw -> {
      hardware = hw;
      root.setAttribute(MachineAttr.HW_GPU_COUNT, hw.gpuCount());
      root.setAttribute(MachineAttr.HW_CPU_CORES, hw.cpuCores());
      root.setAttribute(MachineAttr.HW_RAM_GB, hw.ramGb());
      root.setAttribute(MachineAttr.HW_DISK_GB, hw.diskGb());
      span.setAttribute(Seed.Attr.MACHINE_GPU_COUNT, hw.gpuCount());
      slots = p.workerSpec().resolve(cfg.machineId(), hw.gpuCount());
      return null;
    });
  }

  private Future<Void> dependencies(Span span) {
    skipped(span, "dependencies ship inside the application jar; there is no package-manager step");
    return Future.succeededFuture();
  }

  private Future<Void> workerBundle(Span span) {
    span.setAttribute(MachineAttr.BUNDLE_MODE, "local");
    span.setAttribute(MachineAttr.BUNDLE_SOURCE, "build-time");
    span.setAttribute(MachineAttr.BUNDLE_VERSION, Version.current());
    return vertx.executeBlocking(() -> {
      var src = MachineBootstrap.class.getProtectionDomain().getCodeSource();
      if (src != null && src.getLocation() != null && "file".equals(src.getLocation().getProtocol())) {
        Path jar = Path.of(src.getLocation().toURI());
        if (Files.isRegularFile(jar)) {
          span.setAttribute(MachineAttr.BUNDLE_SIZE_MB, Math.round(Files.size(jar) / 1048576.0 * 100) / 100.0);
        }
      }
      return null;
    }, false);
  }

  private Future<Void> components(Span span) {
    MachineProfile p = cfg.profile();
    if (p.components().isEmpty()) {
      skipped(span, "the profile has no components");
      return Future.succeededFuture();
    }
    span.setAttribute(MachineAttr.COMPONENTS_TOTAL, p.components().size());
    span.setAttribute(MachineAttr.COMPONENTS_STRATEGY, p.installation().strategy());
    span.setAttribute(MachineAttr.COMPONENTS_MAX_CONCURRENT, p.installation().effectiveConcurrency());
    ComponentInstaller installer = new ComponentInstaller(vertx,
        new Downloader(vertx, cfg.downloadMaxAttempts(), cfg.downloadBackoffMs()), tracer,
        new ComponentInstaller.Settings(cfg.workDir(), cfg.cacheDir(), cfg.machineId(),
            telemetry.config().environment()), metrics::downloaded);
    return installer.install(p.components(), p.installation(), Context.root().with(span)).compose(report -> {
      report.results().forEach(metrics::installed);
      span.setAttribute(MachineAttr.INSTALLATION_TOTAL_DURATION_MS, report.durationMs());
      span.setAttribute(MachineAttr.INSTALLATION_PARALLEL_EFFICIENCY, report.parallelEfficiency());
      span.setAttribute(MachineAttr.INSTALLATION_CACHE_USAGE, report.cacheHits());
      span.setAttribute(MachineAttr.INSTALLATION_NETWORK_MB, report.networkMb());
      report.results().stream().filter(r -> !r.ok() && !r.spec().required()).forEach(r -> LOG.log(
          System.Logger.Level.WARNING, "optional component " + r.spec().name() + " skipped: " + r.error().getMessage()));
      return report.firstRequiredFailure().<Future<Void>>map(r -> Future.failedFuture(new InstallException(
              r.error() instanceof InstallException ie ? ie.kind() : InstallException.Kind.IO,
              "required component " + r.spec().name() + " failed: " + r.error().getMessage())))
          .orElse(Future.succeededFuture());
    });
  }

  private Future<Void> services(Span span) {
    MachineProfile p = cfg.profile();
    return vertx.executeBlocking(() -> ServicePlanner.plan(p.services(), slots, cfg.workDir(), cfg.machineId(),
        p.variables()), false).compose(instances -> {
          slots = ServicePlanner.bind(slots, instances);
          span.setAttribute(MachineAttr.SERVICES_WORKER_INSTANCES, slots.size());
          if (instances.isEmpty()) {
            skipped(span, "the profile supervises no services for these workers");
            return Future.succeededFuture();
          }
          span.setAttribute(MachineAttr.PM2_PROCESSES_DEFINED, instances.size());
          span.setAttribute(MachineAttr.PM2_STARTUP_STRATEGY, "parallel");
          span.setAttribute(MachineAttr.SERVICES_TOTAL, instances.size());
          span.setAttribute(MachineAttr.SERVICES_COMFYUI_INSTANCES,
              instances.stream().filter(i -> "comfyui".equals(i.spec().type())).count());
          span.setAttribute(MachineAttr.SERVICES_BACKGROUND,
              instances.stream().filter(i -> i.workerType() == null).count());
          long t = System.nanoTime();
          return supervisor.startAll(instances, Context.root().with(span)).map(started -> {
            started.forEach(s -> metrics.serviceReady(s.process().instance().name(), s.readiness().readyMs(),
                s.readiness().responseTimeMs()));
            span.setAttribute(MachineAttr.STARTUP_SERVICES_DURATION_MS, ms(t));
            span.setAttribute(MachineAttr.STARTUP_HEALTH_CHECK_DURATION_MS,
                started.stream().mapToLong(s -> s.readiness().healthWaitMs()).max().orElse(0));
            span.setAttribute(MachineAttr.STARTUP_READY_STATE_REACHED, true);
            return null;
          });
        });
  }

  private Future<Void> registration(Span span, long t0) {
    long t = System.nanoTime();
    span.setAttribute(MachineAttr.REG_REDIS_ENDPOINT, ComponentInstaller.redact(cfg.store().redisUrl()));
    span.setAttribute(MachineAttr.REG_WORKER_COUNT, slots.size());
    span.setAttribute(MachineAttr.REG_CAPABILITIES, new JsonArray(slots.stream().map(WorkerSlot::type).distinct()
        .toList()).encode());
    span.setAttribute(MachineAttr.REG_MACHINE_METADATA, hardware.toJson().encode());
    return JobStore.connect(vertx, cfg.store())
        .compose(s -> {
          store = s;
          registry = MachineRegistry.of(s);
          notices = MonitorNotices.of(vertx, s);
          control = vertx.eventBus().consumer(Controls.machine(cfg.machineId()), m -> {
            if (Controls.DRAIN.equals(m.body().getString(Controls.TYPE))) {
              drain(m.body().getString("by", "unknown"));
            }
          });
          return control.completion().compose(v -> claimMachineId(null,
              System.currentTimeMillis() + cfg.registrationTtlMs() + cfg.heartbeatIntervalMs()));
        })
        .compose(v -> HealthServer.start(vertx, cfg.healthHost(), cfg.healthPort(), cfg.healthTimeouts(), this,
            telemetry.metrics()))
        .compose(h -> {
          healthServer = h;
          return register("starting");
        })
        .compose(v -> {
          publish(Update.INITIAL);
          return deployWorkers();
        })
        .compose(v -> {
          heartbeatTimer = vertx.setPeriodic(cfg.heartbeatIntervalMs(), id -> heartbeat());
          statusTimer = vertx.setPeriodic(cfg.statusIntervalMs(), id -> publish(Update.PERIODIC));
          span.setAttribute(MachineAttr.REG_HEARTBEAT, true);
          span.setAttribute(MachineAttr.REG_JOB_POLLING, !deployments.isEmpty());
          span.setAttribute(MachineAttr.REG_RETRY_COUNT, 0);
          return registry.machine(cfg.machineId());
        })
        .map(visible -> {
          span.setAttribute(MachineAttr.READINESS_MACHINE_VISIBLE, !visible.isEmpty());
          span.setAttribute(MachineAttr.READINESS_ACCEPTING_JOBS, deployments.size() == slots.size()
              && !slots.isEmpty());
          span.setAttribute(MachineAttr.REG_DURATION_MS, ms(t));
          span.setAttribute(MachineAttr.READINESS_TOTAL_BOOTSTRAP_MS, ms(t0));
          return null;
        });
  }

  private Future<Void> register(String status) {
    return registry.register(cfg.machineId(), instance, machineFields(status), workerFields(),
        cfg.registrationTtlMs(), System.currentTimeMillis());
  }

  /**
   * Registers this machine, refusing to start when another running machine holds the same id (they
   * would share worker ids and remove each other's registrations). A registration that is still there
   * but no longer beats is a crashed predecessor of this machine: it is waited out (at most its TTL).
   * One that beats while we wait is a live duplicate.
   */
  private Future<Void> claimMachineId(Long firstBeat, long deadline) {
    return register("starting").recover(err -> {
      if (!(err instanceof MachineIdTakenException taken)) {
        return Future.failedFuture(err);
      }
      Long beat = taken.lastHeartbeatMs();
      boolean beating = firstBeat != null && beat != null && !beat.equals(firstBeat);
      if (beating || System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new JobQueueException(JobQueueException.Code.CONFLICT, "machine id '"
            + cfg.machineId() + "' is already in use by another running machine (it keeps sending heartbeats to "
            + "Redis); give each machine its own id with EMP_MACHINE_ID (config machine.machine_id; the default "
            + "is the host name)"));
      }
      if (firstBeat == null) {
        LOG.log(System.Logger.Level.INFO, "machine id " + cfg.machineId() + " is still registered by another "
            + "instance; waiting up to " + (deadline - System.currentTimeMillis()) / 1000 + " s to see whether it "
            + "is a crashed run of this machine (its registration expires) or a live duplicate (it beats)");
      }
      long poll = Math.max(50, Math.min(1_000, cfg.heartbeatIntervalMs() / 2));
      io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
      vertx.setTimer(poll, t -> later.complete());
      return later.future().compose(v -> claimMachineId(firstBeat == null ? beat : firstBeat, deadline));
    });
  }

  private Future<Void> deployWorkers() {
    MachineInfo info = new MachineInfo(cfg.machineId(), cfg.profile().name(), hardware);
    Future<Void> chain = Future.succeededFuture();
    for (WorkerSlot slot : slots) {
      chain = chain.compose(v -> deployer.deploy(slot, info).map(id -> {
        deployments.add(id);
        return null;
      }));
    }
    return chain;
  }

  private Future<Void> telemetryPhase(Span span) {
    Map<String, String> otel = cfg.profile().telemetry().otel();
    String exporter = cfg.profile().telemetry().exporter();
    if (exporter == null) {
      exporter = System.getenv("OTEL_TRACES_EXPORTER") != null ? System.getenv("OTEL_TRACES_EXPORTER")
          : System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != null ? "otlp" : "none";
    }
    span.setAttribute(MachineAttr.OTEL_EXPORTER, exporter);
    span.setAttribute(MachineAttr.OTEL_CONFIG_GENERATED, !otel.isEmpty());
    // No collector sidecar: the SDK exports in process. A flush proves the export path works.
    span.setAttribute(MachineAttr.OTEL_COLLECTOR_STARTED, false);
    return vertx.executeBlocking(() -> telemetry.flush().join(TELEMETRY_FLUSH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .isSuccess(), false).map(ok -> {
          span.setAttribute(MachineAttr.OTEL_HEALTH_CHECK_PASSED, ok);
          return null;
        });
  }

  // ------------------------------------------------------------------ running

  private void heartbeat() {
    if (registry == null) {
      return;
    }
    List<String> ids = slots.stream().map(WorkerSlot::workerId).toList();
    MachineActivity.collect(vertx, slots, supervisor).compose(act -> {
      Map<String, String> fields = new LinkedHashMap<>(act.machine());
      fields.put("status", state());
      fields.put("draining", Boolean.toString(draining));
      if (startupDurationMs >= 0) {
        fields.put("startup_duration_ms", Long.toString(startupDurationMs));
      }
      return registry.heartbeat(cfg.machineId(), instance, ids, fields, act.workers(), cfg.registrationTtlMs(),
              System.currentTimeMillis())
          .compose(beat -> switch (beat) {
            case ALIVE -> Future.<Void>succeededFuture();
            // expired (e.g. Redis was away longer than the TTL): register again
            case GONE -> register(state());
            case TAKEN -> Future.<Void>failedFuture(new IllegalStateException("machine id " + cfg.machineId()
                + " was registered by another instance while this one's registration had expired; this machine "
                + "keeps working but is not registered. Give each machine its own EMP_MACHINE_ID"));
          })
          .map(v -> act);
    })
        .compose(act -> {
          notices.publish(MonitorNotices.WORKERS, new JsonObject().put("type", "worker_heartbeat")
              .put("machine_id", cfg.machineId()).put("worker_ids", new JsonArray(ids)).put("status", state())
              .put("workers", act.workerList()).put("slots_busy", act.busy()).put("slots_total", act.total())
              .put("current_jobs", act.currentJobs()).put("timestamp", System.currentTimeMillis()));
          // the durable drain mark: how a drain reaches a machine that the bus does not (no cluster)
          return draining ? Future.succeededFuture(false) : registry.drainRequested(cfg.machineId());
        })
        .onSuccess(drain -> {
          HEARTBEAT_WARNINGS.recovered("heartbeats succeed again");
          if (Boolean.TRUE.equals(drain)) {
            drain("the drain mark in its registration");
          }
        })
        .onFailure(err -> HEARTBEAT_WARNINGS.warn("heartbeat failed; the next one retries", err));
  }

  /** The status word of the registration and the status events. */
  private String state() {
    return draining ? "draining" : ready() ? "ready" : phase;
  }

  public boolean draining() {
    return draining;
  }

  /**
   * Drains: every worker of this machine stops claiming; running jobs finish. Told to the workers on
   * this node's bus only (they all run here), shown in the status as "draining". Idempotent.
   */
  public void drain(String by) {
    if (draining || "stopping".equals(phase) || "stopped".equals(phase)) {
      return;
    }
    draining = true;
    LOG.log(System.Logger.Level.INFO, "machine " + cfg.machineId() + " draining (asked by " + by + ")");
    vertx.eventBus().publish(Controls.WORKERS, Controls.drain(cfg.machineId(), by),
        new DeliveryOptions().setLocalOnly(true));
    publish(Update.EVENT_DRIVEN);
    if (registry != null) {
      registry.heartbeat(cfg.machineId(), instance, List.of(), Map.of("status", state()), cfg.registrationTtlMs(),
          System.currentTimeMillis()).onFailure(err -> LOG.log(System.Logger.Level.DEBUG,
              "draining status not written; the next heartbeat writes it: " + err.getMessage()));
    }
  }

  private Map<String, String> machineFields(String status) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("machine_id", cfg.machineId());
    m.put("profile", cfg.profile().name());
    m.put("machine_type", cfg.profile().machineType());
    m.put("workers_spec", cfg.profile().workers());
    m.put("gpu_count", Integer.toString(hardware.gpuCount()));
    m.put("cpu_cores", Integer.toString(hardware.cpuCores()));
    m.put("ram_gb", Double.toString(hardware.ramGb()));
    m.put("disk_gb", Double.toString(hardware.diskGb()));
    m.put("worker_ids", new JsonArray(slots.stream().map(WorkerSlot::workerId).toList()).encode());
    m.put("health_url", healthUrl());
    m.put("started_at", Long.toString(startedAt));
    m.put("version", Version.current());
    m.put("status", status);
    m.put("node_id", NodeIdentity.of(vertx));
    m.put("services", new JsonArray(slots.stream().map(WorkerSlot::type).distinct().toList()).encode());
    m.put("slots_total", Integer.toString(slots.size()));
    m.put("health", MachineActivity.health(supervisor).encode());
    if (startupDurationMs >= 0) {
      m.put("startup_duration_ms", Long.toString(startupDurationMs));
    }
    return m;
  }

  private Map<String, Map<String, String>> workerFields() {
    Map<String, Map<String, String>> w = new LinkedHashMap<>();
    for (WorkerSlot s : slots) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("worker_id", s.workerId());
      f.put("machine_id", cfg.machineId());
      f.put("type", s.type());
      f.put("binding", s.binding().wire());
      f.put("gpu", s.gpu() == null ? "" : s.gpu().toString());
      f.put("service_port", s.servicePort() == null ? "" : s.servicePort().toString());
      f.put("services", new JsonArray(List.of(s.type())).encode());
      f.put("registered_at", Long.toString(System.currentTimeMillis()));
      w.put(s.workerId(), f);
    }
    return w;
  }

  private String healthUrl() {
    return healthServer == null ? "" : "http://" + cfg.healthHost() + ":" + healthServer.port();
  }

  /** The status document served by /status and published on {@link #MONITOR_ADDRESS}. */
  public JsonObject status(Update update) {
    JsonObject workers = new JsonObject();
    slots.forEach(s -> workers.put(s.workerId(), s.toJson()));
    JsonObject structure = new JsonObject().put("gpu_count", hardware == null ? null : hardware.gpuCount())
        .put("workers", workers).put("services", supervisor.toJson());
    JsonObject machine = new JsonObject().put("phase", phase).put("ready", ready())
        .put("draining", draining).put("uptime_ms", System.currentTimeMillis() - startedAt);
    return new JsonObject().put("machine_id", cfg.machineId()).put("update_type", update.wire())
        .put("timestamp", System.currentTimeMillis()).put("profile", cfg.profile().name())
        .put("structure", structure).put("status", new JsonObject().put("machine", machine)
            .put("workers_deployed", deployments.size()))
        .put("health_url", healthUrl()).put("state", state());
  }

  /** On the bus and, once the store is connected, in the Redis monitor stream too (every gateway sees it). */
  private void publish(Update update) {
    MonitorNotices n = notices;
    if (n != null) {
      n.publish(MONITOR_ADDRESS, status(update));
    } else {
      vertx.eventBus().publish(MONITOR_ADDRESS, status(update));
    }
  }

  // ------------------------------------------------------------------ shutdown

  /** Drains the workers (undeploy), stops the services, unregisters and closes; never fails. */
  public Future<Void> stop() {
    if (!"failed".equals(phase)) {
      publish(Update.SHUTDOWN);
    }
    return shutdown();
  }

  private Future<Void> shutdown() {
    ready = false;
    phase = "stopping";
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(statusTimer);
    if (control != null) {
      control.unregister();
    }
    List<Future<Void>> undeploys = deployments.stream().map(deployer::undeploy).toList();
    return Future.join(undeploys)
        .transform(ar -> {
          deployments.clear();
          return supervisor.stopAll();
        })
        .transform(ar -> registry == null ? Future.succeededFuture()
            : registry.unregister(cfg.machineId(), instance, slots.stream().map(WorkerSlot::workerId).toList()))
        .transform(ar -> healthServer == null ? Future.succeededFuture() : healthServer.close())
        .transform(ar -> store == null ? Future.succeededFuture() : store.close())
        .transform(ar -> http.close())
        .transform(ar -> {
          phase = "stopped";
          return Future.succeededFuture();
        });
  }

  private static String platform() {
    String arch = System.getProperty("os.arch", "unknown");
    arch = switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
    return System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT).replace(" ", "") + "/" + arch;
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
