package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The one place where a failure becomes an API error: {@code {error:{code,message,details[]}}}
 * with the HTTP status of its {@link Code}. HTTP answers and WebSocket error messages both use it.
 * Unexpected exceptions become a generic 500, and an {@code internal} or {@code unavailable} answer
 * never carries the message it was raised with (Redis and driver texts name keys, hosts and ports):
 * those are logged here instead.
 */
public final class ApiErrors {
  private static final System.Logger LOG = System.getLogger(ApiErrors.class.getName());
  static final String INTERNAL_MESSAGE = "internal error";
  static final String UNAVAILABLE_MESSAGE = "the queue is unavailable; retry later";

  private ApiErrors() {
  }

  /** Normalises any failure to a typed one whose message may be shown to the caller. */
  public static JobQueueException classify(Throwable err) {
    if (err instanceof JobQueueException jq) {
      if (jq.code() == Code.INTERNAL && !INTERNAL_MESSAGE.equals(jq.getMessage())) {
        LOG.log(System.Logger.Level.ERROR, "internal failure: " + jq.getMessage());
        return new JobQueueException(Code.INTERNAL, INTERNAL_MESSAGE);
      }
      if (jq.code() == Code.UNAVAILABLE && !jq.ownMessage() && !UNAVAILABLE_MESSAGE.equals(jq.getMessage())) {
        LOG.log(System.Logger.Level.DEBUG, "unavailable: " + jq.getMessage());
        return new JobQueueException(Code.UNAVAILABLE, UNAVAILABLE_MESSAGE);
      }
      return jq;
    }
    if (err instanceof DecodeException) {
      return new ValidationException(List.of(new Problem("", "malformed_json", "the body is not valid JSON")));
    }
    if (err instanceof IllegalArgumentException ia) {
      return new JobQueueException(Code.VALIDATION, ia.getMessage());
    }
    LOG.log(System.Logger.Level.ERROR, "unexpected gateway failure", err);
    return new JobQueueException(Code.INTERNAL, INTERNAL_MESSAGE);
  }

  /** The client closed the connection (e.g. in the middle of its request body): not a server failure. */
  static boolean clientGone(Throwable err) {
    return err instanceof HttpClosedException;
  }

  /** From an HTTP status that a Vert.x handler set (e.g. 413 from the body handler). */
  public static JobQueueException fromStatus(int status) {
    return switch (status) {
      case 400 -> new JobQueueException(Code.VALIDATION, "bad request");
      case 401 -> new JobQueueException(Code.UNAUTHORIZED, "authentication required");
      case 403 -> new JobQueueException(Code.FORBIDDEN, "forbidden");
      case 404 -> JobQueueException.notFound("resource");
      case 408 -> new JobQueueException(Code.REQUEST_TIMEOUT, "the request body did not arrive in time");
      case 413 -> new JobQueueException(Code.PAYLOAD_TOO_LARGE, "request body is larger than the limit");
      case 414 -> new JobQueueException(Code.URI_TOO_LONG, "the request line is longer than the limit");
      case 431 -> new JobQueueException(Code.HEADERS_TOO_LARGE, "the request headers are larger than the limit");
      case 503 -> new JobQueueException(Code.UNAVAILABLE, UNAVAILABLE_MESSAGE);
      default -> new JobQueueException(Code.INTERNAL, INTERNAL_MESSAGE);
    };
  }

  public static String wireCode(Code code) {
    return code.name().toLowerCase();
  }

  public static JsonObject body(JobQueueException e) {
    JsonArray details = new JsonArray();
    if (e instanceof ValidationException ve) {
      ve.problems().forEach(p -> details.add(p.toJson()));
    }
    String message = e instanceof ValidationException ve && !ve.problems().isEmpty()
        ? ve.problems().size() + " validation problem(s)"
        : e.code() == Code.INTERNAL ? INTERNAL_MESSAGE : e.getMessage();
    return new JsonObject().put("error", new JsonObject().put("code", wireCode(e.code()))
        .put("message", message).put("details", details));
  }
}
