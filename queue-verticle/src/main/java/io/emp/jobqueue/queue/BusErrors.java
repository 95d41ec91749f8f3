package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed failures across the event bus: the reply carries {@link Code#busCode()} and a JSON message
 * with the problem list, and {@link #decode} turns it back into the same exception type.
 */
public final class BusErrors {
  private BusErrors() {
  }

  public static void reply(Message<?> msg, Throwable err) {
    JobQueueException e = typed(err);
    msg.fail(e.code().busCode(), toJson(e).encode());
  }

  /** Any failure as the queue's typed error; an unexpected one becomes INTERNAL without its text. */
  static JobQueueException typed(Throwable err) {
    return err instanceof JobQueueException jq ? jq
        : err instanceof IllegalArgumentException ia ? new JobQueueException(Code.VALIDATION, ia.getMessage())
        : new JobQueueException(Code.INTERNAL, "internal error");
  }

  /** The error's message, own-message flag and problem list, as {@link #fromJson} reads them. */
  static JsonObject toJson(JobQueueException e) {
    JsonObject body = new JsonObject().put("message", e.getMessage());
    if (e.ownMessage()) {
      // written for the caller (e.g. why a submit was not confirmed): the edge may show it as is
      body.put("own_message", true);
    }
    if (e instanceof ValidationException ve) {
      JsonArray details = new JsonArray();
      ve.problems().forEach(p -> details.add(p.toJson()));
      body.put("details", details);
    }
    return body;
  }

  static JobQueueException fromJson(Code code, JsonObject body) {
    List<Problem> problems = new ArrayList<>();
    body.getJsonArray("details", new JsonArray()).forEach(o -> problems.add(Problem.fromJson((JsonObject) o)));
    if (code == Code.VALIDATION && !problems.isEmpty()) {
      return new ValidationException(problems);
    }
    if (body.getBoolean("own_message", false) && code == Code.UNAVAILABLE) {
      return JobQueueException.unavailable(body.getString("message"));
    }
    return new JobQueueException(code, body.getString("message"));
  }

  public static Throwable decode(Throwable err) {
    if (!(err instanceof ReplyException re)) {
      return err;
    }
    if (re.failureType() == ReplyFailure.NO_HANDLERS) {
      return JobQueueException.unavailable(
          "queue service unavailable: no node with the queue role is reachable; retry later");
    }
    if (re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return JobQueueException.unavailable("queue service unavailable: it did not answer in time ("
          + re.failureType() + ")");
    }
    Code code = Code.fromBusCode(re.failureCode());
    JsonObject body;
    try {
      body = new JsonObject(re.getMessage());
    } catch (RuntimeException notJson) {
      // a plain message from elsewhere: keep it as is
      body = new JsonObject().put("message", re.getMessage());
    }
    return fromJson(code, body);
  }
}
