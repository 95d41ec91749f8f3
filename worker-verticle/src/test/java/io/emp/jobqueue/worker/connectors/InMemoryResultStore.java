package io.emp.jobqueue.worker.connectors;

import io.emp.jobqueue.worker.spi.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test ResultStore: keeps the bytes in memory, keyed by jobId/name, and hashes them like the real one. */
public final class InMemoryResultStore implements ResultStore {
  private final Map<String, Buffer> files = new ConcurrentHashMap<>();

  @Override
  public Future<StoredResult> store(String jobId, String name, Buffer data, String contentType) {
    String key = jobId + "/" + name;
    files.put(key, data.copy());
    return Future.succeededFuture(new StoredResult("mem://" + key, data.length(), contentType, sha256(data)));
  }

  public Map<String, Buffer> files() {
    return files;
  }

  private static String sha256(Buffer b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.getBytes()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
