package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.model.JobIds;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Stores outputs under {@code <dir>/<jobId>/<name>} through Vert.x's async file system; the sha256
 * is computed on a worker thread. A retried attempt overwrites its earlier output of the same name.
 */
public final class FileResultStore implements ResultStore {
  /** Where outputs go when the config names no directory. */
  public static final String DEFAULT_DIR = "results";
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
  /** A stored job id: a customer's jobs are "<customer>~<name>" (docs/api.md "Job ids"); no '/', no leading dot. */
  private static final Pattern SAFE_JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~-]{0,"
      + (JobIds.maxStoredLength(JobIds.MAX_JOB_NAME) - 1) + "}");

  private final Vertx vertx;
  private final Path dir;

  public FileResultStore(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir.toAbsolutePath().normalize();
  }

  /** From the "results" config section: {@code {"dir": "/var/lib/emp/results"}}. */
  public static FileResultStore from(Vertx vertx, io.vertx.core.json.JsonObject cfg) {
    return new FileResultStore(vertx, Path.of(cfg.getString("dir", DEFAULT_DIR)));
  }

  public Path directory() {
    return dir;
  }

  @Override
  public Future<StoredResult> store(String jobId, String name, Buffer data, String contentType) {
    // names come from connectors and job ids from clients: neither may climb out of the directory
    if (jobId == null || !SAFE_JOB_ID.matcher(jobId).matches() || name == null || !SAFE.matcher(name).matches()
        || name.contains("..")) {
      return Future.failedFuture(new IllegalArgumentException("job id must match " + SAFE_JOB_ID
          + " and output name " + SAFE));
    }
    Path jobDir = dir.resolve(jobId);
    Path file = jobDir.resolve(name);
    return vertx.fileSystem().mkdirs(jobDir.toString())
        .compose(v -> vertx.fileSystem().writeFile(file.toString(), data))
        .compose(v -> vertx.executeBlocking(() -> sha256(data), false))
        .map(sha -> new StoredResult(file.toUri().toString(), data.length(), contentType, sha));
  }

  static String sha256(Buffer data) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data.getBytes()));
  }
}
