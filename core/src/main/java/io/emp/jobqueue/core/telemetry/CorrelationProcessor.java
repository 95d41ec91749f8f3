package io.emp.jobqueue.core.telemetry;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.List;

/**
 * Puts the business correlation keys (seed "Trace Correlation Patterns": {@code workflow.id},
 * {@code correlation_id}, {@code request.id}) and the customer's tier ({@code customer.tier}, which
 * the collector's VIP sampling rule reads) on every span of a job. The submit path stores them
 * as baggage in the job's trace context, which travels with the job to every node, so each span
 * started under that context gets them without its code knowing.
 */
public final class CorrelationProcessor implements SpanProcessor {
  /** Baggage keys copied onto spans; the same strings are the span attribute keys. */
  public static final List<String> KEYS = List.of(Attr.WORKFLOW_ID, Attr.CORRELATION_ID,
      Attr.REQUEST_ID, SamplingPolicy.TIER_BAGGAGE_KEY);

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    Baggage baggage = Baggage.fromContextOrNull(parentContext);
    if (baggage == null || baggage.isEmpty()) {
      return;
    }
    for (String key : KEYS) {
      String v = baggage.getEntryValue(key);
      if (v != null && span.getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey(key)) == null) {
        span.setAttribute(key, v);
      }
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {
  }

  @Override
  public boolean isEndRequired() {
    return false;
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
