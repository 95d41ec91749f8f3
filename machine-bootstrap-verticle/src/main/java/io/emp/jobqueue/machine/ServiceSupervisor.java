package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts the planned service instances in parallel, one {@code service.startup.{name}} span each,
 * keeps them running (see {@link SupervisedProcess}) and stops them all when the machine stops.
 */
public final class ServiceSupervisor {
  private final Vertx vertx;
  private final HttpClient http;
  private final Tracer tracer;
  private final Path logDir;
  private final Runnable onChange;
  private final List<SupervisedProcess> processes = new CopyOnWriteArrayList<>();

  public ServiceSupervisor(Vertx vertx, HttpClient http, Tracer tracer, Path logDir, Runnable onChange) {
    this.vertx = vertx;
    this.http = http;
    this.tracer = tracer;
    this.logDir = logDir;
    this.onChange = onChange;
  }

  /** What starting one instance measured. */
  public record Started(SupervisedProcess process, SupervisedProcess.Readiness readiness) {
  }

  /** Starts every instance; fails (after all have settled) when any did not become healthy. */
  public Future<List<Started>> startAll(List<ServiceInstance> instances, Context parent) {
    List<Future<Started>> all = new ArrayList<>();
    for (ServiceInstance i : instances) {
      all.add(startOne(i, parent));
    }
    return Future.join(all).transform(ar -> {
      for (Future<Started> f : all) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture(all.stream().map(Future::result).toList());
    });
  }

  private Future<Started> startOne(ServiceInstance i, Context parent) {
    Span span = tracer.spanBuilder(SpanName.serviceStartup(i.name())).setParent(parent)
        .setAttribute(MachineAttr.SERVICE_NAME, i.name())
        .setAttribute(MachineAttr.SERVICE_TYPE, i.spec().type())
        .setAttribute(MachineAttr.SERVICE_INSTANCE_ID, i.name())
        .setAttribute(MachineAttr.SERVICE_BINDING, i.binding().wire())
        .setAttribute(MachineAttr.RESOURCE_PORT_ASSIGNED, i.port())
        // The command line, not the environment: env values may be secrets.
        .setAttribute(MachineAttr.STARTUP_COMMAND, String.join(" ", i.argv()))
        .startSpan();
    if (i.gpu() != null) {
      span.setAttribute(MachineAttr.RESOURCE_GPU_ASSIGNED, i.gpu());
    }
    if (i.healthUrl() != null) {
      span.setAttribute(MachineAttr.HEALTH_ENDPOINT, i.healthUrl());
    }
    SupervisedProcess p = new SupervisedProcess(vertx, http, i, logDir, onChange);
    processes.add(p);
    return p.start().map(r -> {
      span.setAttribute(MachineAttr.STARTUP_DURATION_MS, r.readyMs());
      span.setAttribute(MachineAttr.STARTUP_READY_SIGNAL_MS, r.readyMs());
      if (r.firstLogMs() != null) {
        span.setAttribute(MachineAttr.STARTUP_FIRST_LOG_MS, r.firstLogMs());
      }
      span.setAttribute(MachineAttr.HEALTH_INITIAL_CHECK_MS, r.healthWaitMs());
      span.setAttribute(MachineAttr.HEALTH_STATUS_CODE, r.statusCode());
      span.setAttribute(MachineAttr.HEALTH_RESPONSE_TIME_MS, r.responseTimeMs());
      span.end();
      return new Started(p, r);
    }).onFailure(err -> {
      span.setStatus(StatusCode.ERROR, err.getMessage());
      span.recordException(err);
      span.end();
    });
  }

  public List<SupervisedProcess> processes() {
    return List.copyOf(processes);
  }

  public boolean allHealthy() {
    return processes.stream().allMatch(p -> p.state() == SupervisedProcess.State.HEALTHY);
  }

  public JsonArray toJson() {
    JsonArray a = new JsonArray();
    processes.forEach(p -> a.add(p.toJson()));
    return a;
  }

  public Future<Void> stopAll() {
    List<Future<Void>> all = processes.stream().map(SupervisedProcess::stop).toList();
    return Future.join(all).mapEmpty();
  }
}
