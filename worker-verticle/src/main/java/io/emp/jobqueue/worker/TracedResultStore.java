package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** The store a connector sees: every stored output gets its job.result_upload span under job.processing. */
final class TracedResultStore implements ResultStore {
  private final ResultStore results;
  private final Tracer tracer;
  private final Context processing;
  private final SecretRedactor redactor;

  TracedResultStore(ResultStore results, Tracer tracer, Context processing, SecretRedactor redactor) {
    this.results = results;
    this.tracer = tracer;
    this.processing = processing;
    this.redactor = redactor;
  }

  @Override
  public Future<StoredResult> store(String jobId, String name, Buffer data, String contentType) {
    Span s = tracer.spanBuilder(SpanName.JOB_RESULT_UPLOAD).setParent(processing)
        .setAttribute(Attr.RESULT_NAME, name).setAttribute(Attr.RESULT_CONTENT_TYPE, String.valueOf(contentType))
        .setAttribute(Attr.RESULT_SIZE_BYTES, (long) data.length()).startSpan();
    Future<StoredResult> f;
    try {
      f = results.store(jobId, name, data, contentType);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.onComplete(ar -> {
      if (ar.succeeded()) {
        s.setAttribute(Attr.RESULT_URI, ar.result().uri());
      } else {
        WorkerSpans.recordException(s, ar.cause(), redactor);
        WorkerSpans.errorStatus(s, ar.cause(), redactor);
      }
      s.end();
    });
  }
}
