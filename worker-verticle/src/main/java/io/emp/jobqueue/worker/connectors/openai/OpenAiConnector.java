package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ProgressSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chat completions and image generations against the OpenAI HTTP API (or any compatible base URL)
 * with the non-blocking Vert.x WebClient. One {@code openai.api.call} span per job attempt covers
 * every HTTP retry ({@code http.request.resend_count}).
 */
public final class OpenAiConnector implements Connector {
  public static final String TYPE = "openai";
  private static final System.Logger LOG = System.getLogger(OpenAiConnector.class.getName());

  private final OpenAiConfig cfg;
  private final SecretRedactor redactor;
  private final URI base;
  private final Map<String, OpenAiCall> inflight = new ConcurrentHashMap<>();
  private Vertx vertx;
  private WebClient client;
  private HttpClientAgent httpClient;

  public OpenAiConnector(OpenAiConfig cfg) {
    this.cfg = cfg;
    this.redactor = SecretRedactor.of(secrets());
    this.base = cfg.uri();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Future<Void> start(Vertx vertx) {
    this.vertx = vertx;
    this.httpClient = vertx.createHttpClient(new HttpClientOptions());
    this.client = WebClient.wrap(httpClient, new WebClientOptions().setUserAgent(OpenAiCall.USER_AGENT)
        .setFollowRedirects(false));
    if (cfg.apiKey() == null || cfg.apiKey().isBlank()) {
      LOG.log(System.Logger.Level.WARNING, "OpenAI connector started without an API key; calls will fail with auth_error");
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> process(JobContext job, ProgressSink progress) {
    OpenAiRequest req;
    try {
      req = OpenAiRequest.from(job.job(), cfg);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ConnectorException(Failure.permanent("validation_error", e.getMessage()), e));
    }
    OpenAiSpans span = OpenAiSpans.start(job, req, base, cfg.captureContent());
    // Attempts, retry timers and cancel all run on this one context, so a call needs no locks.
    Context context = vertx.getOrCreateContext();
    OpenAiCall call = new OpenAiCall(vertx, client, httpClient, cfg, redactor, job, req, span, progress, context);
    inflight.put(job.jobId(), call);
    progress.report(5, "calling openai " + req.operation().path);
    context.runOnContext(v -> call.attempt(0));
    return call.reply()
        .compose(reply -> OpenAiResults.of(vertx, job, req, reply))
        .onComplete(ar -> {
          inflight.remove(job.jobId(), call);
          span.end(ar.failed() ? classify(ar.cause()) : null);
        });
  }

  @Override
  public Future<Void> cancel(String jobId) {
    OpenAiCall call = inflight.get(jobId);
    if (call != null) {
      call.context().runOnContext(v -> call.cancel());
    }
    return Future.succeededFuture();
  }

  /** The API key; a provider may echo it back in an error message ("Incorrect API key provided: ..."). */
  @Override
  public List<String> secrets() {
    return cfg.apiKey() == null ? List.of() : List.of(cfg.apiKey());
  }

  @Override
  public ExternalService externalService() {
    return new ExternalService(TYPE, cfg.baseUrl(), null);
  }

  @Override
  public Future<Void> stop() {
    inflight.values().forEach(call -> call.context().runOnContext(v -> call.cancel()));
    if (client != null) {
      client.close();
    }
    return httpClient == null ? Future.succeededFuture() : httpClient.close();
  }
}
