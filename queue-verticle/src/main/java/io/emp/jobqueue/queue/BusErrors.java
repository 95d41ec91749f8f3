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
    JobQueueException e = err instanceof JobQueueException jq ? jq
        : err instanceof IllegalArgumentException ia ? new JobQueueException(Code.VALIDATION, ia.getMessage())
        : new JobQueueException(Code.INTERNAL, "internal error");
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
    msg.fail(e.code().busCode(), body.encode());
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
    String message = re.getMessage();
    List<Problem> problems = new ArrayList<>();
    boolean own = false;
    try {
      JsonObject body = new JsonObject(re.getMessage());
      message = body.getString("message");
      own = body.getBoolean("own_message", false);
      body.getJsonArray("details", new JsonArray()).forEach(o -> problems.add(Problem.fromJson((JsonObject) o)));
    } catch (RuntimeException notJson) {
      // a plain message from elsewhere: keep it as is
    }
    if (code == Code.VALIDATION && !problems.isEmpty()) {
      return new ValidationException(problems);
    }
    if (own && code == Code.UNAVAILABLE) {
      return JobQueueException.unavailable(message);
    }
    return new JobQueueException(code, message);
  }
}
