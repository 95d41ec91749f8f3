package io.emp.jobqueue.machine;

import io.emp.jobqueue.machine.InstallException.Kind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileProps;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Streams an HTTP(S) download to {@code <dest>.part} and renames it once its SHA-256 matches. After
 * an interrupted transfer the next attempt asks for the rest with a {@code Range} request (a
 * server that answers 200 instead of 206 makes it start over).
 */
public final class Downloader {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final long DEFAULT_RETRY_BACKOFF_MS = 200;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

  /** What one download did. {@code resumed}: at least one attempt continued a partial file with Range. */
  public record Result(Path file, long sizeBytes, long networkBytes, int attempts, boolean resumed,
                       long durationMs) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final int maxAttempts;
  private final long backoffMs;

  public Downloader(Vertx vertx, HttpClient client, int maxAttempts, long backoffMs) {
    this.vertx = vertx;
    this.client = client;
    this.maxAttempts = maxAttempts;
    this.backoffMs = backoffMs;
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
                : new InstallException(Kind.DOWNLOAD_FAILED, "download of " + ComponentInstaller.redact(url) + " failed after " + st.attempts
                + " attempt(s): " + err.getMessage()));
          }
          return size(part).compose(now -> {
            st.network += Math.max(0, now - have);
            return delay(backoffMs << Math.min(st.attempts - 1, 6));
          }).compose(v -> attempt(url, part, st));
        }));
  }

  private Future<Void> transfer(String url, Path part, long have, State st) {
    RequestOptions opts = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
        .setIdleTimeout(DEFAULT_IDLE_TIMEOUT_MS).setFollowRedirects(true);
    if (have > 0) {
      opts.putHeader("Range", "bytes=" + have + "-");
    }
    return client.request(opts).compose(req -> req.send()).compose(resp -> {
      // Hold the body until the file is open, or its first chunks would be dropped.
      resp.pause();
      int status = resp.statusCode();
      if (status == 416 && have > 0) {
        // The partial file is already whole; the checksum decides.
        resp.resume();
        return Future.succeededFuture();
      }
      if (status != 200 && status != 206) {
        resp.resume();
        Kind kind = status >= 500 || status == 429 ? Kind.DOWNLOAD_FAILED : Kind.HTTP_STATUS;
        return Future.failedFuture(new InstallException(kind, "GET " + ComponentInstaller.redact(url) + " answered "
            + status));
      }
      boolean append = status == 206;
      if (append) {
        st.resumed = true;
      }
      return vertx.fileSystem().open(part.toString(), new OpenOptions().setWrite(true).setCreate(true)
              .setTruncateExisting(!append))
          .compose(file -> pipe(resp, file, append ? have : 0))
          .compose(v -> size(part))
          .map(now -> {
            st.network += Math.max(0, now - (append ? have : 0));
            return null;
          });
    });
  }

  private Future<Void> pipe(HttpClientResponse resp, AsyncFile file, long writePos) {
    file.setWritePos(writePos);
    Promise<Void> done = Promise.promise();
    resp.pipeTo(file).onComplete(done);
    return done.future();
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
