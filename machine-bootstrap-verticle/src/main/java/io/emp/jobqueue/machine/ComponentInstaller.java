package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Installs a profile's components under the install directory, each in its own
 * {@code component.install.{name}} span: git repositories at a pinned ref, and checksummed
 * downloads (models, archives) through a cache directory keyed by SHA-256. A failed required
 * component stops new installs from starting; an optional one is reported and skipped.
 */
public final class ComponentInstaller {
  public static final String ERROR_COMPONENT = "machine";
  public static final String ERROR_TYPE = "component_install";

  /** Where things go and what the error spans say about the machine. */
  public record Settings(Path installDir, Path cacheDir, String machineId, String environment) {
  }

  /** One component's outcome; {@code error} is null on success. */
  public record ComponentResult(ComponentSpec spec, boolean cacheHit, long networkBytes, boolean resumed,
                                long durationMs, Throwable error) {
    public boolean ok() {
      return error == null;
    }
  }

  /** Every component's outcome, in profile order of completion. */
  public record Report(List<ComponentResult> results, long durationMs, int concurrency) {
    public long cacheHits() {
      return results.stream().filter(r -> r.ok() && r.cacheHit()).count();
    }

    public double networkMb() {
      return Math.round(results.stream().mapToLong(ComponentResult::networkBytes).sum() / 1048576.0 * 1000)
          / 1000.0;
    }

    /** Busy time over available lane time: 1.0 means every lane was busy for the whole phase. */
    public double parallelEfficiency() {
      long busy = results.stream().mapToLong(ComponentResult::durationMs).sum();
      long lanes = Math.max(1, Math.min(concurrency, results.size()));
      return durationMs <= 0 ? 1.0 : Math.min(1.0, Math.round(busy * 1000.0 / (durationMs * lanes)) / 1000.0);
    }

    public Optional<ComponentResult> firstRequiredFailure() {
      return results.stream().filter(r -> !r.ok() && r.spec().required()).findFirst();
    }
  }

  /** Told about every download (not cache hits): bytes received, duration, success. */
  @FunctionalInterface
  public interface DownloadObserver {
    void downloaded(long networkBytes, long durationMs, boolean ok);
  }

  private final Vertx vertx;
  private final Downloader downloader;
  private final Tracer tracer;
  private final Settings settings;
  private final DownloadObserver downloads;

  public ComponentInstaller(Vertx vertx, Downloader downloader, Tracer tracer, Settings settings) {
    this(vertx, downloader, tracer, settings, (bytes, ms, ok) -> { });
  }

  public ComponentInstaller(Vertx vertx, Downloader downloader, Tracer tracer, Settings settings,
                            DownloadObserver downloads) {
    this.vertx = vertx;
    this.downloader = downloader;
    this.tracer = tracer;
    this.settings = settings;
    this.downloads = downloads;
  }

  public Future<Report> install(List<ComponentSpec> components, MachineProfile.Installation how, Context parent) {
    long start = System.nanoTime();
    List<ComponentResult> results = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean aborted = new AtomicBoolean();
    int lanes = Math.max(1, Math.min(how.effectiveConcurrency(), components.size()));
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      all.add(lane(components, next, aborted, results, parent));
    }
    return Future.join(all).transform(ar -> Future.succeededFuture(
        new Report(List.copyOf(results), (System.nanoTime() - start) / 1_000_000, how.effectiveConcurrency())));
  }

  /** Takes components one after another until none is left or a required one failed. */
  private Future<Void> lane(List<ComponentSpec> all, AtomicInteger next, AtomicBoolean aborted,
                            List<ComponentResult> results, Context parent) {
    int i = next.getAndIncrement();
    if (i >= all.size() || aborted.get()) {
      return Future.succeededFuture();
    }
    return installOne(all.get(i), parent).compose(r -> {
      results.add(r);
      if (!r.ok() && r.spec().required()) {
        aborted.set(true);
      }
      return lane(all, next, aborted, results, parent);
    });
  }

  Future<ComponentResult> installOne(ComponentSpec c, Context parent) {
    Span span = tracer.spanBuilder(SpanName.componentInstall(c.name())).setParent(parent)
        .setAttribute(MachineAttr.COMPONENT_NAME, c.name())
        .setAttribute(MachineAttr.COMPONENT_TYPE, c.type().wire())
        .setAttribute(MachineAttr.COMPONENT_REQUIRED, c.required())
        .setAttribute(MachineAttr.DOWNLOAD_URL, redact(c.url()))
        .setAttribute(MachineAttr.DOWNLOAD_METHOD, c.type() == ComponentSpec.Type.GIT_REPO ? "git clone" : "http")
        .startSpan();
    if (c.version() != null) {
      span.setAttribute(MachineAttr.COMPONENT_VERSION, c.version());
    }
    long start = System.nanoTime();
    Path target = settings.installDir().resolve(c.target()).normalize();
    Future<ComponentResult> work = c.type() == ComponentSpec.Type.GIT_REPO
        ? vertx.executeBlocking(() -> GitInstaller.install(c.url(), c.ref(), target), false).map(g -> {
          span.setAttribute(MachineAttr.VALIDATION_FILES_PRESENT, g.filesPresent());
          span.setAttribute(MachineAttr.INSTALL_CACHE_HIT, g.cacheHit());
          return new ComponentResult(c, g.cacheHit(), 0, false, 0, null);
        })
        : fetch(c, span).compose(r -> place(c, r, target, span));
    Promise<ComponentResult> done = Promise.promise();
    work.onComplete(ar -> {
      long ms = (System.nanoTime() - start) / 1_000_000;
      span.setAttribute(MachineAttr.INSTALL_DURATION_MS, ms);
      if (ar.succeeded()) {
        ComponentResult r = ar.result();
        span.setAttribute(MachineAttr.VALIDATION_SUCCESS, true);
        span.end();
        done.complete(new ComponentResult(c, r.cacheHit(), r.networkBytes(), r.resumed(), ms, null));
      } else {
        span.setAttribute(MachineAttr.VALIDATION_SUCCESS, false);
        span.setStatus(StatusCode.ERROR, ar.cause().getMessage());
        errorSpan(c, ar.cause(), Context.root().with(span));
        span.end();
        done.complete(new ComponentResult(c, false, 0, false, ms, ar.cause()));
      }
    });
    return done.future();
  }

  /** Gets the verified file into the cache (a hit when it is there with the right checksum). */
  private Future<ComponentResult> fetch(ComponentSpec c, Span span) {
    Path cached = settings.cacheDir().resolve("downloads").resolve(c.sha256());
    return vertx.executeBlocking(() -> Files.isRegularFile(cached) && Downloader.sha256(cached).equals(c.sha256()),
        false).compose(hit -> {
          span.setAttribute(MachineAttr.INSTALL_CACHE_HIT, hit);
          if (hit) {
            return Future.succeededFuture(new ComponentResult(c, true, 0, false, 0, null));
          }
          long t0 = System.nanoTime();
          return downloader.download(c.url(), cached, c.sha256()).onComplete(ar -> downloads.downloaded(
              ar.succeeded() ? ar.result().networkBytes() : 0, ar.succeeded() ? ar.result().durationMs()
                  : (System.nanoTime() - t0) / 1_000_000, ar.succeeded())).map(d -> {
            span.setAttribute(MachineAttr.DOWNLOAD_SIZE_MB, Math.round(d.sizeBytes() / 1048576.0 * 1000) / 1000.0);
            span.setAttribute(MachineAttr.DOWNLOAD_DURATION_MS, d.durationMs());
            span.setAttribute(MachineAttr.DOWNLOAD_RESUME_USED, d.resumed());
            span.setAttribute(MachineAttr.DOWNLOAD_RETRY_COUNT, d.attempts() - 1);
            return new ComponentResult(c, false, d.networkBytes(), d.resumed(), 0, null);
          });
        });
  }

  private Future<ComponentResult> place(ComponentSpec c, ComponentResult fetched, Path target, Span span) {
    Path cached = settings.cacheDir().resolve("downloads").resolve(c.sha256());
    return vertx.executeBlocking(() -> {
      if (c.type() == ComponentSpec.Type.ARCHIVE) {
        int files = Archives.extract(cached, target);
        span.setAttribute(MachineAttr.EXTRACTION_FILES, files);
        span.setAttribute(MachineAttr.VALIDATION_FILES_PRESENT, files);
        span.setAttribute(MachineAttr.INSTALL_POST_INSTALL_STEPS, 1);
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(cached, target, StandardCopyOption.REPLACE_EXISTING);
        span.setAttribute(MachineAttr.VALIDATION_FILES_PRESENT, 1);
      }
      return fetched;
    }, false);
  }

  private void errorSpan(ComponentSpec c, Throwable err, Context parent) {
    String type = err instanceof InstallException ie ? ie.kind().wire() : "io";
    Span e = tracer.spanBuilder(SpanName.error(ERROR_COMPONENT, ERROR_TYPE)).setParent(parent)
        .setAttribute(Attr.ERROR_TYPE, type)
        .setAttribute(Attr.ERROR_MESSAGE, String.valueOf(err.getMessage()))
        .setAttribute(Attr.ERROR_CODE, err instanceof InstallException ie ? ie.code().name() : "INTERNAL")
        .setAttribute(Attr.RECOVERY_ATTEMPTED, err instanceof InstallException ie
            && ie.kind() == InstallException.Kind.DOWNLOAD_FAILED)
        .setAttribute(Attr.RECOVERY_STRATEGY, c.required() ? "fail" : "skip")
        .setAttribute(Attr.RECOVERY_SUCCESS, false)
        .setAttribute(Attr.IMPACT_JOB_FAILED, false)
        .setAttribute(Attr.IMPACT_CUSTOMER_NOTIFIED, false)
        .setAttribute(Attr.IMPACT_SERVICE_DEGRADED, true)
        .setAttribute(Attr.DEBUG_ENVIRONMENT, settings.environment())
        .setAttribute(Attr.DEBUG_MACHINE_ID, settings.machineId())
        .setAttribute(MachineAttr.COMPONENT_NAME, c.name())
        .setAttribute(MachineAttr.COMPONENT_REQUIRED, c.required())
        .startSpan();
    if (c.version() != null) {
      e.setAttribute(Attr.DEBUG_COMPONENT_VERSION, c.version());
    }
    e.setStatus(StatusCode.ERROR, String.valueOf(err.getMessage()));
    e.end();
  }

  /**
   * URLs may carry credentials (user:pass@ or a token query); spans, logs and messages get neither.
   * Works on a URL or on text that contains URLs.
   */
  static String redact(String text) {
    if (text == null) {
      return null;
    }
    return text.replaceAll("//[^/@\\s'\"]+@", "//").replaceAll("\\?[^\\s'\"]*", "");
  }
}
