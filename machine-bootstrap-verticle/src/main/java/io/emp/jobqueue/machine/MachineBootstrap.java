package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.bus.NodeIdentity;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

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
  private static final System.Logger LOG = System.getLogger(MachineBootstrap.class.getName());

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

  public MachineBootstrap(Vertx vertx, MachineConfig cfg, Telemetry telemetry, WorkerDeployer deployer) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.telemetry = telemetry;
    this.tracer = telemetry.tracer(ServiceName.BOOTSTRAP);
    this.deployer = deployer;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.supervisor = new ServiceSupervisor(vertx, http, tracer, cfg.logDir(),
        () -> publish(StatusUpdate.EVENT_DRIVEN));
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

  public Future<Void> start() {
    MachineProfile p = cfg.profile();
    StartupTrace trace = new StartupTrace(tracer, cfg, telemetry, metrics, name -> phase = name);
    metrics.startupBegan(this::ready);
    return trace.phase(SpanName.STARTUP_ENVIRONMENT, s -> new EnvironmentPhase(vertx, cfg).run(s, trace.root())
            .map(hw -> {
              hardware = hw;
              slots = p.workerSpec().resolve(cfg.machineId(), hw.gpuCount());
              return null;
            }))
        .compose(v -> trace.phase(SpanName.STARTUP_DEPENDENCIES, BundlePhase::dependencies))
        .compose(v -> trace.phase(SpanName.STARTUP_WORKER_BUNDLE, s -> BundlePhase.workerBundle(vertx, s)))
        .compose(v -> trace.phase(SpanName.STARTUP_COMPONENTS, s -> ComponentsPhase.run(vertx, cfg, tracer,
            telemetry.config().environment(), metrics, s)))
        .compose(v -> trace.phase(SpanName.STARTUP_SERVICES, s -> ServicesPhase.run(vertx, cfg, slots, supervisor,
            metrics, s).map(bound -> {
              slots = bound;
              return null;
            })))
        .compose(v -> trace.phase(SpanName.STARTUP_REGISTRATION, s -> registration(s, trace)))
        .compose(v -> trace.phase(SpanName.STARTUP_TELEMETRY, s -> TelemetryPhase.run(vertx, cfg, telemetry, s)))
        .andThen(ar -> {
          metrics.startupEnded();
          trace.end(ar);
        })
        .compose(v -> {
          startupDurationMs = trace.elapsedMs();
          ready = true;
          phase = "ready";
          LOG.log(System.Logger.Level.INFO, "machine " + cfg.machineId() + " (" + p.name() + ") ready in "
              + startupDurationMs + " ms with " + deployments.size() + " worker(s) and "
              + supervisor.processes().size() + " service(s)");
          publish(StatusUpdate.MACHINE_READY);
          return Future.<Void>succeededFuture();
        }, err -> {
          phase = "failed";
          LOG.log(System.Logger.Level.ERROR, "machine " + cfg.machineId() + " failed to start: " + err.getMessage());
          return shutdown().transform(x -> Future.failedFuture(err));
        });
  }

  private Future<Void> registration(Span span, StartupTrace trace) {
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
          return control.completion().compose(v -> new MachineIdClaim(vertx, cfg.machineId(),
              cfg.heartbeatIntervalMs(), () -> register("starting"))
              .claim(System.currentTimeMillis() + cfg.registrationTtlMs() + cfg.heartbeatIntervalMs()));
        })
        .compose(v -> HealthServer.start(vertx, cfg.healthHost(), cfg.healthPort(), cfg.healthTimeouts(), this,
            telemetry.metrics()))
        .compose(h -> {
          healthServer = h;
          return register("starting");
        })
        .compose(v -> {
          publish(StatusUpdate.INITIAL);
          return deployer.deployAll(slots, new MachineInfo(cfg.machineId(), cfg.profile().name(), hardware),
              deployments::add);
        })
        .compose(v -> {
          MachineHeartbeat beat = new MachineHeartbeat(vertx, cfg, instance, registry, notices, this);
          heartbeatTimer = vertx.setPeriodic(cfg.heartbeatIntervalMs(), id -> beat.beat());
          statusTimer = vertx.setPeriodic(cfg.statusIntervalMs(), id -> publish(StatusUpdate.PERIODIC));
          span.setAttribute(MachineAttr.REG_HEARTBEAT, true);
          span.setAttribute(MachineAttr.REG_JOB_POLLING, !deployments.isEmpty());
          span.setAttribute(MachineAttr.REG_RETRY_COUNT, 0);
          return registry.machine(cfg.machineId());
        })
        .map(visible -> {
          span.setAttribute(MachineAttr.READINESS_MACHINE_VISIBLE, !visible.isEmpty());
          span.setAttribute(MachineAttr.READINESS_ACCEPTING_JOBS, deployments.size() == slots.size()
              && !slots.isEmpty());
          span.setAttribute(MachineAttr.REG_DURATION_MS, Phases.ms(t));
          span.setAttribute(MachineAttr.READINESS_TOTAL_BOOTSTRAP_MS, trace.elapsedMs());
          return null;
        });
  }

  Future<Void> register(String status) {
    RegistrationFields.Machine now = new RegistrationFields.Machine(cfg, hardware, slots, healthUrl(), startedAt,
        NodeIdentity.of(vertx), MachineActivity.health(supervisor), startupDurationMs);
    return registry.register(cfg.machineId(), instance, now.fields(status),
        RegistrationFields.workers(cfg.machineId(), slots), cfg.registrationTtlMs(), System.currentTimeMillis());
  }

  /** The status word of the registration and the status events. */
  String state() {
    return draining ? "draining" : ready() ? "ready" : phase;
  }

  public boolean draining() {
    return draining;
  }

  /** From start to ready (ms), -1 until then. */
  long startupDurationMs() {
    return startupDurationMs;
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
    publish(StatusUpdate.EVENT_DRIVEN);
    if (registry != null) {
      registry.heartbeat(cfg.machineId(), instance, List.of(), Map.of("status", state()), cfg.registrationTtlMs(),
          System.currentTimeMillis()).onFailure(err -> LOG.log(System.Logger.Level.DEBUG,
              "draining status not written; the next heartbeat writes it: " + err.getMessage()));
    }
  }

  private String healthUrl() {
    return healthServer == null ? "" : "http://" + cfg.healthHost() + ":" + healthServer.port();
  }

  /** The status document served by /status and published on {@link #MONITOR_ADDRESS}. */
  public JsonObject status(StatusUpdate update) {
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
  private void publish(StatusUpdate update) {
    MonitorNotices n = notices;
    if (n != null) {
      n.publish(MONITOR_ADDRESS, status(update));
    } else {
      vertx.eventBus().publish(MONITOR_ADDRESS, status(update));
    }
  }

  /** Drains the workers (undeploy), stops the services, unregisters and closes; never fails. */
  public Future<Void> stop() {
    if (!"failed".equals(phase)) {
      publish(StatusUpdate.SHUTDOWN);
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

}
