package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.metrics.MeteredVertx;
import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.metrics.MetricsConfig;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * A real redis-server, the queue verticle and the gateway in one Vert.x, plus real HTTP and
 * WebSocket clients. One stack per test class; tests use their own service names.
 */
abstract class GatewayTestSupport {
  static final String KEY_A = "key-customer-a-0123456789";
  static final String KEY_B = "key-customer-b-0123456789";
  static final String KEY_ADMIN = "key-admin-0123456789abcdef";
  static final String CUST_A = "custA";
  static final String CUST_B = "custB";
  static final String KEYS_ENV = KEY_A + ":" + CUST_A + ":client," + KEY_B + ":" + CUST_B + ":client," + KEY_ADMIN
      + ":*:admin";

  static TestRedis redisServer;
  static Vertx vertx;
  static InMemorySpanExporter spans;
  static Telemetry telemetry;
  static StoreConfig storeCfg;
  static JobStore store;
  static GatewayVerticle gateway;
  static String gatewayDeployment;
  static GatewayConfig gatewayCfg;
  static WebClient http;
  static WebSocketClient wsClient;

  /** Analytics ticks fast in tests, so queue gauges and anomaly scores follow within a second. */
  static final MetricsConfig TEST_METRICS = new MetricsConfig(true, 200, null, null, null);

  static void startStack(JsonObject gatewayJson) {
    startStack(gatewayJson, TEST_METRICS);
  }

  static void startStack(JsonObject gatewayJson, MetricsConfig metrics) {
    redisServer = TestRedis.start();
    Metrics registry = Metrics.prometheus(metrics);
    vertx = MeteredVertx.create(new io.vertx.core.VertxOptions(), registry);
    spans = InMemorySpanExporter.create();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of(SimpleSpanProcessor.create(spans)), registry);
    storeCfg = StoreConfig.defaults(redisServer.url()).withNamespace("g" + UUID.randomUUID().toString().substring(0, 8));
    get(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(storeCfg), telemetry)));
    store = get(JobStore.connect(vertx, storeCfg));
    gatewayCfg = GatewayConfig.from(gatewayJson.copy().put("port", 0), Map.of(GatewayConfig.ENV_API_KEYS, KEYS_ENV));
    deployGateway(gatewayCfg);
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(5_000)
        .setDefaultHost("127.0.0.1"));
  }

  static void deployGateway(GatewayConfig cfg) {
    gateway = new GatewayVerticle(cfg, telemetry, storeCfg);
    gatewayDeployment = get(vertx.deployVerticle(gateway));
  }

  static void undeployGateway() {
    get(vertx.undeploy(gatewayDeployment));
  }

  static int port() {
    return gateway.actualPort();
  }

  @AfterAll
  static void stopStack() {
    if (vertx != null) {
      get(vertx.close());
    }
    if (telemetry != null) {
      telemetry.close();
    }
    if (redisServer != null) {
      redisServer.close();
    }
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  static String newService() {
    return "svc-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Submits over HTTP as the given key and returns the job id. */
  static String submitHttp(String key, JsonObject job) {
    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(key).sendJsonObject(job));
    if (res.statusCode() != 201) {
      throw new AssertionError("submit failed: " + res.statusCode() + " " + res.bodyAsString());
    }
    return res.bodyAsJsonObject().getString("job_id");
  }

  /** Claims the only pending job of {@code service} as a worker would. */
  static ClaimedJob claim(String service) {
    return get(store.claim(WorkerCapabilities.of("w-" + service, service), 50, 60_000)).job().orElseThrow();
  }

  static void progress(ClaimedJob c, int pct, String message) {
    get(store.progress(c.job().id(), c.token(), pct, message, 0, null));
  }

  static void complete(ClaimedJob c) {
    get(store.complete(c.job().id(), c.token(), new JsonObject().put("ok", true), null));
  }

  /** The stored id of a customer's job (what admins, monitors, Redis and spans use): see PublicIds. */
  static String stored(String customer, String publicId) {
    return customer + "~" + publicId;
  }

  /** The id a client of {@code customer} uses for a stored id. */
  static String publicOf(String customer, String storedId) {
    assertThat(storedId).startsWith(customer + "~");
    return storedId.substring(customer.length() + 1);
  }

  static List<Long> seqs(List<JsonObject> msgs, String jobId) {
    return msgs.stream().filter(m -> jobId.equals(m.getString("job_id")) && m.containsKey("seq")
        && !"subscribed".equals(m.getString("type"))).map(m -> m.getLong("seq")).toList();
  }

  static JsonArray details(JsonObject errorBody) {
    return errorBody.getJsonObject("error").getJsonArray("details");
  }
}
