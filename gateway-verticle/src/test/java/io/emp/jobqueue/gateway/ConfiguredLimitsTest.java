package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job limits of the node config ({@code queue.store.limits}) are what the gateway validates a
 * submit against: one source of limits, applied once at the edge.
 */
class ConfiguredLimitsTest extends GatewayTestSupport {
  static GatewayVerticle strict;
  static String strictDeployment;

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
    // a second gateway on the same queue, whose node config sets small limits
    StoreConfig limited = StoreConfig.from(new JsonObject().put("redis_url", redisServer.url())
        .put("namespace", storeCfg.namespace()).put("limits", new JsonObject().put("max_payload_bytes", 1024)
            .put("max_priority", 10).put("default_priority", 5)));
    strict = new GatewayVerticle(gatewayCfg, telemetry, limited);
    strictDeployment = get(vertx.deployVerticle(strict));
  }

  @AfterAll
  static void stopStrict() {
    if (strictDeployment != null) {
      get(vertx.undeploy(strictDeployment));
    }
  }

  static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> post(int port, JsonObject job) {
    return get(http.post(port, "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A).sendJsonObject(job));
  }

  @Test
  void limitsFromTheNodeConfigApplyAtTheGateway() {
    JsonObject big = new JsonObject().put("service_required", newService()).put("priority", 20)
        .put("payload", new JsonObject().put("blob", "x".repeat(2048)));

    var refused = post(strict.actualPort(), big);
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(400);
    JsonObject err = refused.bodyAsJsonObject().getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo("validation");
    List<JsonObject> details = err.getJsonArray("details").stream().map(o -> (JsonObject) o).toList();
    assertThat(details).extracting(d -> d.getString("field")).containsExactlyInAnyOrder("payload", "priority");
    assertThat(details).filteredOn(d -> "payload".equals(d.getString("field"))).singleElement()
        .satisfies(d -> assertThat(d.getString("message")).contains("the limit is 1024"));

    // the same job within the configured limits is taken, with the configured default priority
    var taken = post(strict.actualPort(), big.copy().put("payload", new JsonObject().put("blob", "small"))
        .put("priority", 10));
    assertThat(taken.statusCode()).as(taken.bodyAsString()).isEqualTo(201);
    var defaulted = post(strict.actualPort(), new JsonObject().put("service_required", newService()));
    assertThat(defaulted.statusCode()).as(defaulted.bodyAsString()).isEqualTo(201);
    String id = defaulted.bodyAsJsonObject().getString("job_id");
    JsonObject job = get(http.get(strict.actualPort(), "127.0.0.1", "/api/jobs/" + id)
        .bearerTokenAuthentication(KEY_A).send()).bodyAsJsonObject();
    assertThat(job.getInteger("priority")).as(job.encode()).isEqualTo(5);

    // the gateway with the default limits takes the big job: the limits above came from the config
    assertThat(post(port(), big).statusCode()).isEqualTo(201);
  }
}
