package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.testing.RawConnection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Headers, origins, and the answers to requests that are broken before any route sees them. */
class HttpEdgeTest extends GatewayTestSupport {
  static final String GOOD_ORIGIN = "http://dashboard.example";
  static final Logger GATEWAY_LOG = Logger.getLogger("io.emp.jobqueue.gateway");

  @BeforeAll
  static void start() {
    startStack(new JsonObject().put("body_limit_bytes", 16 * 1024)
        .put("allowed_origins", new JsonArray().add(GOOD_ORIGIN)));
  }

  private static HttpResponse<Buffer> getAs(String path, String key) {
    var req = http.get(port(), "127.0.0.1", path);
    if (key != null) {
      req.bearerTokenAuthentication(key);
    }
    return get(req.send());
  }

  // ------------------------------------------------------------ item 6: headers and origins

  @Test
  void apiAnswersAreNeitherSniffedNorCached() {
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", newService()));
    List<HttpResponse<Buffer>> answers = List.of(getAs("/api/jobs/" + id, KEY_A), getAs("/api/jobs", KEY_A),
        getAs("/api/jobs/nope", KEY_A), getAs("/api/jobs", null), getAs("/api/no-such-route", KEY_A),
        get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
            .sendBuffer(Buffer.buffer("{bad"))));
    assertThat(answers.stream().map(HttpResponse::statusCode)).containsExactly(200, 200, 404, 401, 404, 400);
    for (HttpResponse<Buffer> r : answers) {
      assertThat(r.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    }
    assertThat(getAs("/health", null).getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void theMonitorCannotBeFramedAndItsInlineScriptStillRuns() {
    var page = getAs("/monitor", null);
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.getHeader("Content-Security-Policy");
    assertThat(csp).contains("frame-ancestors 'none'");
    // No script-src/style-src/default-src: the page's inline <script> and <style> stay allowed.
    assertThat(csp).doesNotContain("script-src").doesNotContain("default-src").doesNotContain("style-src");
    assertThat(page.getHeader("X-Frame-Options")).isEqualTo("DENY");
    assertThat(page.bodyAsString()).contains("<script>");
  }

  @Test
  void theEventBusBridgeAnswersOnlyAllowedOrigins() {
    String info = "/eventbus/info?token=" + KEY_ADMIN;
    var evil = get(http.get(port(), "127.0.0.1", info).putHeader("Origin", "http://evil.example").send());
    assertThat(evil.statusCode()).isEqualTo(403);
    assertThat(evil.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("forbidden");
    assertThat(evil.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(evil.getHeader("Access-Control-Allow-Credentials")).isNull();
    var preflight = get(http.request(HttpMethod.OPTIONS, port(), "127.0.0.1", info)
        .putHeader("Origin", "http://evil.example").putHeader("Access-Control-Request-Method", "POST").send());
    assertThat(preflight.statusCode()).isEqualTo(403);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isNull();

    var allowed = get(http.get(port(), "127.0.0.1", info).putHeader("Origin", GOOD_ORIGIN).send());
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo(GOOD_ORIGIN);
    var sameOrigin = get(http.get(port(), "127.0.0.1", info).putHeader("Origin", "http://127.0.0.1:" + port())
        .send());
    assertThat(sameOrigin.statusCode()).isEqualTo(200);
    assertThat(getAs(info, null).statusCode()).as("no Origin: not a browser").isEqualTo(200);
  }

  // ------------------------------------------------------------ item 10: malformed requests, hang-ups

  @Test
  void malformedRequestsGetTheErrorShape() {
    assertError(raw("GET /api/jobs/" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), "414",
        "uri_too_long");
    assertError(raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(9_000) + "\r\n\r\n"), "431",
        "headers_too_large");
    assertError(raw("GARBAGE\r\n\r\n"), "400", "validation");
    assertError(raw("GET / HTTP/1.1 trailing-junk\r\n\r\n"), "400", "validation");
    assertError(raw("GET /no-such-page HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), "404", "not_found");
  }

  private static RawConnection raw(String request) {
    return RawConnection.connect(vertx, port()).send(request).awaitText("}}", Duration.ofSeconds(15));
  }

  private static void assertError(RawConnection c, String status, String code) {
    assertThat(c.text()).matches("(?s)HTTP/1\\.[01] " + status + " .*");
    assertThat(c.text().toLowerCase()).contains("content-type: application/json").contains("nosniff");
    JsonObject err = new JsonObject(c.body()).getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo(code);
    assertThat(err.getString("message")).isNotBlank();
    assertThat(err.getJsonArray("details")).isNotNull();
    c.close();
  }

  @Test
  void aClientHangingUpMidBodyIsNotAServerError() {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    capture.setLevel(Level.ALL);
    Level before = GATEWAY_LOG.getLevel();
    GATEWAY_LOG.setLevel(Level.ALL);
    GATEWAY_LOG.addHandler(capture);
    try {
      RawConnection c = RawConnection.connect(vertx, port());
      c.send("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
          + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"service_required\":");
      c.close();
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> records.stream()
          .anyMatch(r -> String.valueOf(r.getMessage()).contains("client closed the connection")));
      assertThat(records).noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue());
    } finally {
      GATEWAY_LOG.removeHandler(capture);
      GATEWAY_LOG.setLevel(before);
    }
  }

  // ------------------------------------------------------------ item 11: form content types

  @Test
  void aJsonBodySentAsAFormIsReadAsJson() {
    String svc = newService();
    // curl -d sends application/x-www-form-urlencoded; the body is one "field" of 12 KiB.
    Buffer job = new JsonObject().put("service_required", svc)
        .put("payload", new JsonObject().put("blob", "x".repeat(12 * 1024))).toBuffer();
    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(job));
    assertThat(res.statusCode()).isEqualTo(201);
    var notJson = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer("a=1&b=2")));
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(details(notJson.bodyAsJsonObject()).getJsonObject(0).getString("code")).isEqualTo("malformed_json");
  }

  @Test
  void aFormBodyOverTheLimitIs413LikeAJsonOne() {
    String big = "f=" + "y".repeat(20 * 1024);
    for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
        "application/json")) {
      var sized = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
          .putHeader("Content-Type", type).sendBuffer(Buffer.buffer(big)));
      assertThat(sized.statusCode()).as(type).isEqualTo(413);
      assertThat(sized.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("payload_too_large");
      // Chunked: no Content-Length to refuse early, the limit is met while reading.
      RawConnection chunked = RawConnection.connect(vertx, port()).send("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1"
          + "\r\nAuthorization: Bearer " + KEY_A + "\r\nContent-Type: " + type + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < big.length(); i += 8 * 1024) {
        String chunk = big.substring(i, Math.min(big.length(), i + 8 * 1024));
        chunked.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
      }
      chunked.send("0\r\n\r\n").awaitText("}}", Duration.ofSeconds(15));
      assertThat(chunked.text()).as(type + ", chunked").startsWith("HTTP/1.1 413");
      assertThat(new JsonObject(chunked.body()).getJsonObject("error").getString("code"))
          .isEqualTo("payload_too_large");
      chunked.close();
    }
  }
}
