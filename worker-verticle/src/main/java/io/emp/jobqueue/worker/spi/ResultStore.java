package io.emp.jobqueue.worker.spi;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Where a job's output files go (images, audio, JSON blobs): only their references enter the
 * queue, never the bytes. The default implementation writes to a local directory
 * ({@code job.result_upload} span); a cloud store would implement the same contract.
 */
public interface ResultStore {

  /**
   * Stores one output of a job. Idempotent per (jobId, name): a retried attempt overwrites.
   *
   * @param name file name without directories, e.g. "image_0.png"
   */
  Future<StoredResult> store(String jobId, String name, Buffer data, String contentType);

  /** A stored output: where it is, how big, and what it is. */
  record StoredResult(String uri, long bytes, String contentType, String sha256) {
  }
}
