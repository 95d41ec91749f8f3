package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Reading a request's query parameters and JSON body, each problem reported by name (never thrown one by one). */
final class RequestParams {
  private RequestParams() {
  }

  /** A query parameter; sent empty ({@code ?status=}, an unset form field) it counts as not sent. */
  static String param(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    return v == null || v.isEmpty() ? null : v;
  }

  static int intParam(RoutingContext ctx, String name, int dflt, int min, int max, List<Problem> problems) {
    String v = param(ctx, name);
    if (v == null) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v);
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    problems.add(new Problem(name, "range", "must be an integer within " + min + ".." + max));
    return dflt;
  }

  /** A time filter: ms since the epoch, >= 0. */
  static Long timeParam(RoutingContext ctx, String name, List<Problem> problems) {
    String v = param(ctx, name);
    if (v == null) {
      return null;
    }
    try {
      long t = Long.parseLong(v);
      if (t >= 0) {
        return t;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    problems.add(new Problem(name, "range", "must be a time in ms since the epoch"));
    return null;
  }

  /** The body as a JSON object; null when empty; a validation failure for malformed JSON or another JSON type. */
  static JsonObject jsonObjectBody(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      return null;
    }
    Object parsed = Json.decodeValue(ctx.body().buffer());
    if (parsed instanceof JsonObject o) {
      return o;
    }
    throw new ValidationException(List.of(new Problem("", "type", "the body must be a JSON object")));
  }
}
