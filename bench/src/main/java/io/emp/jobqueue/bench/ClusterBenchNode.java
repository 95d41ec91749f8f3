package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

/**
 * A member of {@link ClusterBench}'s cluster in its own JVM: {@code queue} (the queue verticle and an
 * echo consumer, as a queue node) or {@code worker} (a simulation worker, as a machine node).
 * Prints {@code READY <ms>} with the time its clustered Vert.x took to join, then runs until killed.
 * Args: role, cluster name, member port, members (comma-separated), redis url, namespace.
 */
public final class ClusterBenchNode {
  public static final String ECHO = "bench.echo";
  public static final String CANCEL_SERVICE = "bench-cancel";

  private ClusterBenchNode() {
  }

  public static void main(String[] args) throws Exception {
    String role = args[0];
    long t0 = System.nanoTime();
    Vertx vertx = BenchCluster.join(args[1], Integer.parseInt(args[2]), Arrays.asList(args[3].split(","))).await();
    long joinMs = (System.nanoTime() - t0) / 1_000_000;
    StoreConfig store = StoreConfig.defaults(args[4]).withNamespace(args[5]);
    // tracing off on every node: the bench measures the bus and the control path, not the exporters
    Telemetry telemetry = Telemetry.disabled();
    if (role.equals("queue")) {
      vertx.eventBus().consumer(ECHO, m -> m.reply(m.body())).completion().await();
      vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(store), telemetry)).await();
    } else {
      // one long step: no progress write, so only the cancel signal (or the renewal, 10 s away) ends a job
      WorkerConfig cfg = WorkerConfig.defaults(WorkerCapabilities.of("bench-worker-1", CANCEL_SERVICE)
          .withMachine("bench-machine")).withConcurrency(32).withIdlePoll(200);
      vertx.deployVerticle(new WorkerVerticle(cfg, new SimulationConnector(SimulationConfig.DEFAULTS),
          new FileResultStore(vertx, Files.createTempDirectory("bench-results")), telemetry, store)).await();
    }
    System.out.println("READY " + joinMs);
    System.out.flush();
    Thread.currentThread().join();
  }

  static List<String> members(String csv) {
    return Arrays.asList(csv.split(","));
  }
}
