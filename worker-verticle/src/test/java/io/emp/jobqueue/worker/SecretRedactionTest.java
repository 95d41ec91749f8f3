package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.worker.connectors.openai.FakeOpenAi;
import io.emp.jobqueue.worker.connectors.openai.OpenAiConfig;
import io.emp.jobqueue.worker.connectors.openai.OpenAiConnector;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A provider that quotes the API key it was sent in its 401 message (as some OpenAI-compatible
 * ones do): the key must reach neither the stored job, nor its events, nor any span.
 */
class SecretRedactionTest extends WorkerTestSupport {
  static final String KEY = "sk-live-0123456789abcdefOPERATORSECRET";

  @Test
  void anEchoedApiKeyIsRedactedFromTheStoredErrorTheEventsAndEverySpan() {
    try (FakeOpenAi fake = new FakeOpenAi(vertx, "sk-the-key-the-provider-expects").echoKeyOnAuthError().start()) {
      OpenAiConnector connector = new OpenAiConnector(OpenAiConfig.defaults(fake.baseUrl(), KEY)
          .withRetries(0, 10, 10));
      WorkerConfig cfg = WorkerConfig.defaults(WorkerCapabilities.of("w-openai", "openai").withMachine("machine-t"))
          .withLease(3_000, 1_000).withIdlePoll(200).withProgressThrottle(0).withDrainGrace(300);
      deployment = get(vertx.deployVerticle(new WorkerVerticle(cfg, connector, new FileResultStore(vertx, resultDir),
          telemetry, store)));

      String id = submit(new JsonObject().put("service_required", "openai").put("payload", new JsonObject()
          .put("model", "gpt-4o-mini").put("messages", new JsonArray().add(new JsonObject().put("role", "user")
              .put("content", "hi")))), TraceContext.EMPTY);
      await().atMost(Duration.ofSeconds(30)).until(() -> job(id).status() == JobStatus.FAILED);
      await().atMost(Duration.ofSeconds(30)).until(() -> !spansNamed(SpanName.error("openai", "auth_error"))
          .isEmpty());

      // the provider did echo it: without redaction it would be everywhere below
      assertThat(fake.authHeaders()).contains("Bearer " + KEY);
      Job failed = job(id);
      assertThat(failed.lastError().getString("type")).isEqualTo("auth_error");
      assertThat(failed.lastError().getString("message")).contains("Incorrect API key provided: "
          + SecretRedactor.MASK);
      assertThat(failed.lastError().encode()).doesNotContain(KEY).doesNotContain("0123456789abcdef");
      assertThat(failed.errors().encode()).doesNotContain(KEY);

      List<JobEvent> events = get(store.queries().events(id, 0, 100));
      JobEvent jobFailed = events.stream().filter(e -> JobEvent.FAILED.equals(e.type())).findFirst().orElseThrow();
      assertThat(jobFailed.field("error")).contains(SecretRedactor.MASK);
      events.forEach(e -> assertThat(e.toJson().encode()).doesNotContain(KEY));

      List<SpanData> all = spans.getFinishedSpanItems();
      assertThat(all).extracting(SpanData::getName).contains(SpanName.OPENAI_CALL, SpanName.EXTERNAL_CALL,
          SpanName.JOB_PROCESSING);
      for (SpanData s : all) {
        assertThat(s.getAttributes().toString()).as("attributes of " + s.getName()).doesNotContain(KEY);
        assertThat(s.getStatus().getDescription()).as("status of " + s.getName()).doesNotContain(KEY);
        for (EventData e : s.getEvents()) {
          assertThat(e.getAttributes().toString()).as("event " + e.getName() + " of " + s.getName())
              .doesNotContain(KEY);
        }
      }
      // the exception events are still there, with the message masked
      assertThat(all.stream().flatMap(s -> s.getEvents().stream()).filter(e -> "exception".equals(e.getName())))
          .isNotEmpty().allSatisfy(e -> assertThat(e.getAttributes().toString()).contains(SecretRedactor.MASK));
    }
  }
}
