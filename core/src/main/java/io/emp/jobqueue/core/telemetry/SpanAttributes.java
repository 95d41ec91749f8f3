package io.emp.jobqueue.core.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;

/** Attributes that several spans set the same way, written once. */
public final class SpanAttributes {
  private static final String REDIS = "redis";
  private static final String EVALSHA = "EVALSHA";

  private SpanAttributes() {
  }

  /** Sets {@code key} only when {@code value} is present: a missing or empty value is no attribute. */
  public static void putIf(Span span, String key, String value) {
    if (value != null && !value.isEmpty()) {
      span.setAttribute(key, value);
    }
  }

  /** A span over one Redis script call: the old {@code db.system} key and the current ones. */
  public static SpanBuilder redisScript(SpanBuilder b) {
    return b.setAttribute(Attr.DB_SYSTEM, REDIS)
        .setAttribute(Attr.DB_SYSTEM_NAME, REDIS)
        .setAttribute(Attr.DB_OPERATION_NAME, EVALSHA);
  }

  /**
   * A script call that is a queue operation on {@code destination} (the service): the database
   * attributes plus the messaging ones, e.g. operation "send"/type "send" for a submit, "claim"/"receive".
   */
  public static SpanBuilder redisQueue(SpanBuilder b, String operation, String operationType, String destination) {
    return redisScript(b).setAttribute(Attr.MESSAGING_SYSTEM, REDIS)
        .setAttribute(Attr.MESSAGING_OPERATION_NAME, operation)
        .setAttribute(Attr.MESSAGING_OPERATION_TYPE, operationType)
        .setAttribute(Attr.MESSAGING_DESTINATION_NAME, destination);
  }
}
