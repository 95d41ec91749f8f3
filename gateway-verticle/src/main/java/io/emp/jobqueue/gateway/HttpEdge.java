package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * What the gateway answers around the routes: security headers, the SockJS origin check, the
 * neutralised form content types, and the answers to requests that never reach a route (malformed
 * HTTP, a body that does not arrive). Every error here has the documented shape ({@link ApiErrors}).
 */
final class HttpEdge {
  static final String FRAME_ANCESTORS_NONE = "frame-ancestors 'none'";

  private HttpEdge() {
  }

  /** First handler of every route: headers every answer carries (success or error). */
  static void securityHeaders(RoutingContext ctx) {
    securityHeaders(ctx.request().path(), ctx.response());
    ctx.next();
  }

  static void securityHeaders(String path, HttpServerResponse res) {
    res.putHeader("X-Content-Type-Options", "nosniff");
    if (path == null || path.startsWith("/api/") || path.equals("/api")) {
      // Job data and errors are per caller: no shared or browser cache may keep them.
      res.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
    if ("/monitor".equals(path)) {
      // The monitor asks for an admin key: no other page may frame it (clickjacking).
      res.putHeader("Content-Security-Policy", FRAME_ANCESTORS_NONE);
      res.putHeader("X-Frame-Options", "DENY");
    }
  }

  /**
   * SockJS reflects any {@code Origin} with credentials allowed; only requests without an Origin
   * (not a browser), from the gateway's own origin, or from {@code allowed} get through.
   */
  static void checkOrigin(RoutingContext ctx, List<String> allowed, HttpApi api) {
    if (originAllowed(ctx.request(), allowed)) {
      ctx.next();
    } else {
      api.fail(ctx, new JobQueueException(Code.FORBIDDEN, "this origin may not use the event-bus bridge"));
    }
  }

  static boolean originAllowed(HttpServerRequest req, List<String> allowed) {
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || allowed.contains(origin)) {
      return true;
    }
    String host = req.getHeader(HttpHeaders.HOST);
    String o = origin.toLowerCase(Locale.ROOT);
    return host != null && (o.equals("http://" + host.toLowerCase(Locale.ROOT))
        || o.equals("https://" + host.toLowerCase(Locale.ROOT)));
  }

  /**
   * API bodies are JSON whatever their Content-Type ({@code curl -d} sends a form type). With a form
   * type the body handler would also start Vert.x's form decoder, whose own limits answer 500
   * ({@code TooLongFormFieldException}) before the body limit can answer 413; dropping the type
   * leaves one reader, one limit, one answer.
   */
  static void bodyIsJson(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null) {
      String t = type.toLowerCase(Locale.ROOT);
      if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/")) {
        ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
      }
    }
    ctx.next();
  }

  /** Requests Vert.x could not parse: request line or headers too long, or not HTTP at all. */
  static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    JobQueueException e = cause instanceof TooLongHttpLineException
        ? new JobQueueException(Code.URI_TOO_LONG, "the request line is longer than the limit")
        : cause instanceof TooLongHttpHeaderException
            ? new JobQueueException(Code.HEADERS_TOO_LARGE, "the request headers are larger than the limit")
            : new JobQueueException(Code.VALIDATION, "the request is not valid HTTP/1.1");
    answerAndClose(req, e);
  }

  /** A request whose body did not arrive within the read deadline. */
  static void bodyTimedOut(HttpServerRequest req) {
    answerAndClose(req, new JobQueueException(Code.REQUEST_TIMEOUT, "the request body did not arrive in time"));
  }

  private static void answerAndClose(HttpServerRequest req, JobQueueException e) {
    HttpServerResponse res = req.response();
    if (res.ended() || res.closed() || res.headWritten()) {
      req.connection().close();
      return;
    }
    securityHeaders(null, res);
    res.setStatusCode(e.code().httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(ApiErrors.body(e).toBuffer())
        .onComplete(ar -> req.connection().close());
  }
}
