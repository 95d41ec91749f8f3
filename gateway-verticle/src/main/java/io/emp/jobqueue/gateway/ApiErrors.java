package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The one place where a failure becomes an API error: {@code {error:{code,message,details[]}}}
 * with the HTTP status of its {@link Code}. HTTP answers and WebSocket error messages both use it.
 * Unexpected exceptions become a generic 500: no stack trace or internal message leaves the process.
 */
public final class ApiErrors {
  private static final System.Logger LOG = System.getLogger(ApiErrors.class.getName());

  private ApiErrors() {
  }

  /** Normalises any failure to a typed one. */
  public static JobQueueException classify(Throwable err) {
    if (err instanceof JobQueueException jq) {
      return jq;
    }
    if (err instanceof DecodeException) {
      return new ValidationException(List.of(new Problem("", "malformed_json", "the body is not valid JSON")));
    }
    if (err instanceof IllegalArgumentException ia) {
      return new JobQueueException(Code.VALIDATION, ia.getMessage());
    }
    LOG.log(System.Logger.Level.ERROR, "unexpected gateway failure", err);
    return new JobQueueException(Code.INTERNAL, "internal error");
  }

  /** From an HTTP status that a Vert.x handler set (e.g. 413 from the body handler). */
  public static JobQueueException fromStatus(int status) {
    return switch (status) {
      case 400 -> new JobQueueException(Code.VALIDATION, "bad request");
      case 401 -> new JobQueueException(Code.UNAUTHORIZED, "authentication required");
      case 403 -> new JobQueueException(Code.FORBIDDEN, "forbidden");
      case 404 -> JobQueueException.notFound("resource");
      case 413 -> new JobQueueException(Code.PAYLOAD_TOO_LARGE, "request body is larger than the limit");
      case 503 -> new JobQueueException(Code.UNAVAILABLE, "service unavailable");
      default -> new JobQueueException(Code.INTERNAL, "internal error");
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
        ? ve.problems().size() + " validation problem(s)" : e.getMessage();
    return new JsonObject().put("error", new JsonObject().put("code", wireCode(e.code()))
        .put("message", message).put("details", details));
  }
}
