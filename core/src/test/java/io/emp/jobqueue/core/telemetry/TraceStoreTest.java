package io.emp.jobqueue.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TraceStoreTest {

  @Test
  void buildsTheSpanTreeAndIndexesJobsWithinBounds() {
    TraceStore store = new TraceStore(2, 10);
    Tracer tracer = SdkTracerProvider.builder().addSpanProcessor(store.asProcessor()).build().get("t");
    Span root = tracer.spanBuilder("http.request.received").startSpan();
    Span submit = tracer.spanBuilder("redis.job.submit").setParent(Context.root().with(root))
        .setAttribute(Attr.JOB_ID, "job-1").startSpan();
    submit.addEvent("redis.job.stored");
    submit.end();
    root.end();
    String traceId = root.getSpanContext().getTraceId();

    JsonObject tree = store.treeJson(traceId);
    assertThat(tree.getInteger("span_count")).isEqualTo(2);
    JsonObject r = tree.getJsonArray("roots").getJsonObject(0);
    assertThat(r.getString("name")).isEqualTo("http.request.received");
    JsonObject child = r.getJsonArray("children").getJsonObject(0);
    assertThat(child.getString("name")).isEqualTo("redis.job.submit");
    assertThat(child.getJsonObject("attributes").getString(Attr.JOB_ID)).isEqualTo("job-1");
    assertThat(child.getJsonArray("events").getJsonObject(0).getString("name")).isEqualTo("redis.job.stored");
    assertThat(store.tracesForJob("job-1")).containsExactly(traceId);

    tracer.spanBuilder("a").startSpan().end();
    tracer.spanBuilder("b").startSpan().end();
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.spans(traceId)).as("oldest trace evicted").isEmpty();
    assertThat(store.tracesForJob("job-1")).isEmpty();
  }
}
