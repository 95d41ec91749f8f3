package io.emp.jobqueue.app;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker JVM with tail sampling on, for multi-process sampling tests: one simulation
 * WorkerVerticle configured from EMP_REDIS_URL, EMP_NAMESPACE, EMP_WORKER_ID, EMP_MACHINE_ID,
 * EMP_SERVICE, EMP_CONCURRENCY and EMP_SAMPLING (the telemetry.sampling JSON of conf/emp.json);
 * spans go where the standard OTEL_* variables say. SIGTERM drains and flushes. Prints
 * {@value #READY} once deployed.
 */
public final class SampledWorkerMain {
  public static final String READY = "SAMPLED WORKER READY";

  private SampledWorkerMain() {
  }

  public static void main(String[] args) throws Exception {
    String machine = env("EMP_MACHINE_ID", "machine-sampled");
    WorkerCapabilities caps = new WorkerCapabilities(env("EMP_WORKER_ID", "worker-sampled"), machine,
        List.of(env("EMP_SERVICE", "sim")), null, null, null, null, null, null, null);
    WorkerConfig cfg = WorkerConfig.defaults(caps).withConcurrency(Integer.parseInt(env("EMP_CONCURRENCY", "8")))
        .withIdlePoll(500).withProgressThrottle(200).withDrainGrace(2_000);
    StoreConfig store = StoreConfig.defaults(env("EMP_REDIS_URL", StoreConfig.DEFAULT_REDIS_URL))
        .withNamespace(env("EMP_NAMESPACE", StoreConfig.DEFAULT_NAMESPACE));
    SamplingPolicy policy = SamplingPolicy.from(new JsonObject(env("EMP_SAMPLING", "{}")));
    Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withMachineId(machine).withSampling(policy),
        List.of());
    Vertx vertx = Vertx.vertx();
    WorkerVerticle verticle = new WorkerVerticle(cfg, new SimulationConnector(SimulationConfig.DEFAULTS),
        new FileResultStore(vertx, Files.createTempDirectory("emp-sampled-results-")), telemetry, store);
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
