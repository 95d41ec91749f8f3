package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.E2e.ADMIN_KEY;
import static io.emp.jobqueue.app.E2e.get;

import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.gateway.GatewayConfig;
import io.emp.jobqueue.gateway.GatewayVerticle;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Queue, gateway and one simulation worker deployed into a shared Vert.x for one node's Telemetry,
 * in a namespace of their own; {@link #close()} undeploys them. Jobs go in over real HTTP.
 */
final class Product implements AutoCloseable {
  final Vertx vertx;
  final GatewayVerticle gateway;
  final WebClient http;
  private final List<String> deployments = new ArrayList<>();

  Product(Vertx vertx, String redisUrl, Telemetry telemetry, int workerConcurrency, Path results) {
    this.vertx = vertx;
    StoreConfig store = StoreConfig.defaults(redisUrl).withNamespace("p" + UUID.randomUUID().toString().substring(0, 8));
    deployments.add(get(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(store), telemetry))));
    gateway = new GatewayVerticle(GatewayConfig.from(new JsonObject().put("port", 0),
        Map.of(GatewayConfig.ENV_API_KEYS, ADMIN_KEY + ":*:admin")), telemetry, store);
    deployments.add(get(vertx.deployVerticle(gateway)));
    WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.fromJson(new JsonObject().put("worker_id", "w-sim")
        .put("machine_id", "otlp-machine").put("services", new JsonArray().add("simulation"))))
        .withConcurrency(workerConcurrency);
    deployments.add(get(vertx.deployVerticle(new WorkerVerticle(wc, new SimulationConnector(SimulationConfig.DEFAULTS),
        new FileResultStore(vertx, results), telemetry, store))));
    http = WebClient.create(vertx);
  }

  /** Submits over HTTP as the admin; returns the 201 answer (job_id, trace_id, ...). */
  JsonObject submit(JsonObject spec) {
    HttpResponse<Buffer> r = get(http.post(gateway.actualPort(), "127.0.0.1", "/api/jobs")
        .bearerTokenAuthentication(ADMIN_KEY).sendJsonObject(spec));
    if (r.statusCode() != 201) {
      throw new AssertionError("submit failed: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  String status(String jobId) {
    HttpResponse<Buffer> r = get(http.get(gateway.actualPort(), "127.0.0.1", "/api/jobs/" + jobId)
        .bearerTokenAuthentication(ADMIN_KEY).send());
    return r.statusCode() == 200 ? r.bodyAsJsonObject().getString("status") : "http_" + r.statusCode();
  }

  static JsonObject simJob(int steps) {
    return new JsonObject().put("service_required", "simulation")
        .put("payload", new JsonObject().put("steps", steps).put("step_ms", 5));
  }

  @Override
  public void close() {
    http.close();
    // reverse order: the worker drains first, the queue goes last
    for (int i = deployments.size() - 1; i >= 0; i--) {
      get(vertx.undeploy(deployments.get(i)));
    }
  }
}
