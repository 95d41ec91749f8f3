package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/jobs: a filter sent empty, as an HTML form sends an unset field, filters nothing. */
class ListFiltersTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void emptyQueryParametersMeanNoFilter() {
    String svc = newService();
    var submitted = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .sendJsonObject(new JsonObject().put("service_required", svc)));
    assertThat(submitted.statusCode()).isEqualTo(201);
    String id = submitted.bodyAsJsonObject().getString("job_id");

    var filtered = get(http.get(port(), "127.0.0.1", "/api/jobs?status=&service=&cursor=&limit=")
        .bearerTokenAuthentication(KEY_A).send());
    var unfiltered = get(http.get(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A).send());

    assertThat(filtered.statusCode()).as(filtered.bodyAsString()).isEqualTo(200);
    assertThat(ids(filtered.bodyAsJsonObject())).contains(id).isEqualTo(ids(unfiltered.bodyAsJsonObject()));
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("jobs").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }
}
