package io.emp.jobqueue.worker.it;

import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker process for cross-process tests: one WorkerVerticle with the simulation connector,
 * configured from the environment (EMP_REDIS_URL, EMP_NAMESPACE, EMP_WORKER_ID, EMP_MACHINE_ID,
 * EMP_SERVICES, EMP_CONCURRENCY, EMP_LEASE_MS, EMP_RENEW_MS, and EMP_SAMPLING: a telemetry.sampling
 * JSON section, which turns tail sampling on; unlike the launcher's EMP_SAMPLING=on|off). Telemetry follows the standard OTEL_*
 * variables; SIGTERM drains and flushes every exporter. Prints {@value #READY} once deployed.
 */
public final class WorkerMain {
  public static final String READY = "WORKER READY";

  private WorkerMain() {
  }

  public static void main(String[] args) throws Exception {
    String machine = env("EMP_MACHINE_ID", "machine-e2e");
    List<String> services = Arrays.asList(env("EMP_SERVICES", "sim").split(","));
    WorkerCapabilities caps = new WorkerCapabilities(env("EMP_WORKER_ID", "worker-e2e"), machine, services, null,
        null, null, null, null, null, null);
    long lease = Long.parseLong(env("EMP_LEASE_MS", "2000"));
    WorkerConfig cfg = WorkerConfig.defaults(caps).withLease(lease, Long.parseLong(env("EMP_RENEW_MS", "600")))
        .withConcurrency(Integer.parseInt(env("EMP_CONCURRENCY", "1")))
        .withIdlePoll(500).withProgressThrottle(100).withDrainGrace(2_000);
    StoreConfig store = StoreConfig.defaults(env("EMP_REDIS_URL", StoreConfig.DEFAULT_REDIS_URL))
        .withNamespace(env("EMP_NAMESPACE", StoreConfig.DEFAULT_NAMESPACE));
    String sampling = System.getenv("EMP_SAMPLING");
    TelemetryConfig tc = TelemetryConfig.DEFAULTS.withMachineId(machine);
    if (sampling != null && !sampling.isBlank()) {
      tc = tc.withSampling(SamplingPolicy.from(new JsonObject(sampling)));
    }
    Telemetry telemetry = Telemetry.create(tc, List.of());
    Vertx vertx = Vertx.vertx();
    WorkerVerticle verticle = new WorkerVerticle(cfg, new SimulationConnector(SimulationConfig.DEFAULTS),
        new FileResultStore(vertx, Files.createTempDirectory("emp-worker-results-")), telemetry, store);
    String id = vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("drain failed: " + e);
      }
      // closing flushes every exporter: what the sampler kept reaches the collector before exit
      telemetry.close();
      vertx.close();
    }));
    System.out.println(READY);
    System.out.flush();
  }

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }
}
