package io.emp.jobqueue.machine;

import io.emp.jobqueue.machine.InstallException.Kind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * Streams an HTTP(S) download to {@code <dest>.part} and renames it once its SHA-256 matches. After
 * an interrupted transfer the next attempt asks for the rest with a {@code Range} request (a
 * server that answers 200 instead of 206 makes it start over).
 *
 * <p>The transfer uses the JDK's {@link HttpClient}, not the Vert.x one: Vert.x 5.0.7's HTTP/1.1
 * client drops the tail of a response that is paused for back-pressure (the file is slower than the
 * socket) when the server closes the connection right after the last byte, failing it with
 * "Connection was closed" (eclipse-vertx/vert.x#5929). Every HTTP/1.0 server and every response to
 * a {@code Connection: close} request ends that way, so such downloads failed at random. The JDK
 * client applies back-pressure through its body subscriber and reads to the end of the stream.
 */
public final class Downloader {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final long DEFAULT_RETRY_BACKOFF_MS = 200;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** What one download did. {@code resumed}: at least one attempt continued a partial file with Range. */
  public record Result(Path file, long sizeBytes, long networkBytes, int attempts, boolean resumed,
                       long durationMs) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final int maxAttempts;
  private final long backoffMs;
  private final long idleTimeoutMs;

  public Downloader(Vertx vertx, int maxAttempts, long backoffMs) {
    this(vertx, maxAttempts, backoffMs, DEFAULT_IDLE_TIMEOUT_MS);
  }

  /** {@code idleTimeoutMs}: an attempt that receives nothing for this long fails (and is retried). */
  public Downloader(Vertx vertx, int maxAttempts, long backoffMs, long idleTimeoutMs) {
    if (maxAttempts < 1 || backoffMs < 0 || idleTimeoutMs < 1) {
      throw new IllegalArgumentException("maxAttempts >= 1, backoffMs >= 0 and idleTimeoutMs >= 1 required");
    }
    this.vertx = vertx;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(CONNECT_TIMEOUT).build();
    this.maxAttempts = maxAttempts;
    this.backoffMs = backoffMs;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  public Future<Result> download(String url, Path dest, String sha256) {
    Path part = dest.resolveSibling(dest.getFileName() + ".part");
    long start = System.nanoTime();
    State st = new State();
    return vertx.executeBlocking(() -> Files.createDirectories(dest.getParent()), false)
        .compose(v -> attempt(url, part, st))
        .compose(v -> verifyAndMove(url, part, dest, sha256))
        .map(size -> new Result(dest, size, st.network, st.attempts, st.resumed,
            (System.nanoTime() - start) / 1_000_000));
  }

  private static final class State {
    int attempts;
    long network;
    boolean resumed;
  }

  private Future<Void> attempt(String url, Path part, State st) {
    st.attempts++;
    Future<Long> existing = size(part);
    return existing.compose(have -> transfer(url, part, have, st)
        .recover(err -> {
          if (err instanceof InstallException ie && ie.kind() != Kind.DOWNLOAD_FAILED || st.attempts >= maxAttempts) {
            return Future.failedFuture(err instanceof InstallException ? err
                : new InstallException(Kind.DOWNLOAD_FAILED, "download of " + ComponentInstaller.redact(url)
                + " failed after " + st.attempts + " attempt(s): " + describe(err)));
          }
          return size(part).compose(now -> {
            st.network += Math.max(0, now - have);
            return delay(backoffMs << Math.min(st.attempts - 1, 6));
          }).compose(v -> attempt(url, part, st));
        }));
  }

  /** One GET: the whole file, or the rest of it after {@code have} bytes. Resolves on the caller's context. */
  private Future<Void> transfer(String url, Path part, long have, State st) {
    HttpRequest.Builder req;
    try {
      req = HttpRequest.newBuilder(URI.create(url)).GET();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InstallException(Kind.HTTP_STATUS, "not a valid download URL: "
          + ComponentInstaller.redact(url)));
    }
    if (have > 0) {
      req.header("Range", "bytes=" + have + "-");
    }
    IdleWatchdog watchdog = new IdleWatchdog(idleTimeoutMs);
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    CompletableFuture<HttpResponse<Long>> call;
    try {
      call = client.sendAsync(req.build(), info -> {
        watchdog.touch();
        int status = info.statusCode();
        if (status == 200 || status == 206) {
          OpenOption[] opts = status == 206
              ? new OpenOption[] {StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.APPEND}
              : new OpenOption[] {StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING};
          return watchdog.guard(BodySubscribers.mapping(BodySubscribers.ofFile(part, opts), p -> 0L));
        }
        return BodySubscribers.replacing(0L);
      });
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InstallException(Kind.HTTP_STATUS, "cannot download "
          + ComponentInstaller.redact(url) + ": " + e.getMessage()));
    }
    watchdog.watch(call);
    long timer = vertx.setPeriodic(Math.max(10, Math.min(1_000, idleTimeoutMs / 4)), id -> watchdog.check());
    Promise<HttpResponse<Long>> done = Promise.promise();
    // the JDK completes on its own threads; the rest of the attempt runs on the caller's context
    call.whenComplete((resp, err) -> ctx.runOnContext(v -> {
      if (err != null) {
        done.fail(watchdog.fired() ? new IOException("no data for " + idleTimeoutMs + " ms") : unwrap(err));
      } else {
        done.complete(resp);
      }
    }));
    return done.future().eventually(() -> {
      vertx.cancelTimer(timer);
      return Future.succeededFuture();
    }).compose(resp -> {
      int status = resp.statusCode();
      if (status == 416 && have > 0) {
        // The partial file is already whole; the checksum decides.
        return Future.succeededFuture();
      }
      if (status != 200 && status != 206) {
        Kind kind = status >= 500 || status == 429 ? Kind.DOWNLOAD_FAILED : Kind.HTTP_STATUS;
        return Future.failedFuture(new InstallException(kind, "GET " + ComponentInstaller.redact(url) + " answered "
            + status));
      }
      boolean append = status == 206;
      if (append) {
        st.resumed = true;
      }
      return size(part).map(now -> {
        st.network += Math.max(0, now - (append ? have : 0));
        return null;
      });
    });
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  private Future<Long> size(Path p) {
    return vertx.fileSystem().exists(p.toString()).compose(e -> e
        ? vertx.fileSystem().props(p.toString()).map(FileProps::size) : Future.succeededFuture(0L));
  }

  private Future<Void> delay(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(Math.max(1, ms), id -> p.complete());
    return p.future();
  }

  private Future<Long> verifyAndMove(String url, Path part, Path dest, String sha256) {
    return vertx.executeBlocking(() -> {
      String actual = sha256(part);
      if (!actual.equalsIgnoreCase(sha256)) {
        // A corrupt partial must not be resumed next time.
        Files.deleteIfExists(part);
        throw new InstallException(Kind.CHECKSUM_MISMATCH, "checksum mismatch for " + ComponentInstaller.redact(url)
            + ": expected sha256 " + sha256 + ", got " + actual);
      }
      Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return Files.size(dest);
    }, false);
  }

  /** Hex SHA-256 of a file. Blocking. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }
}
