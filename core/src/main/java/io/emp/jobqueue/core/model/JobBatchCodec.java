package io.emp.jobqueue.core.model;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries a {@link JobBatch} over the event bus like {@link JobSpecCodec} carries one spec: handed
 * over as it is in one JVM; between nodes, a JSON array of each spec's wire form. Registered by
 * {@link JobSpecCodec#register}.
 */
public final class JobBatchCodec implements MessageCodec<JobBatch, JobBatch> {
  public static final String NAME = "emp.job-batch";

  @Override
  public void encodeToWire(Buffer buffer, JobBatch batch) {
    JsonArray arr = new JsonArray(new ArrayList<>(batch.size()));
    batch.specs().forEach(s -> arr.add(JobSpecCodec.toWire(s)));
    Buffer json = arr.toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public JobBatch decodeFromWire(int pos, Buffer buffer) {
    int len = buffer.getInt(pos);
    JsonArray arr = new JsonArray(buffer.getBuffer(pos + 4, pos + 4 + len));
    List<JobSpec> specs = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      specs.add(JobSpecCodec.fromWire(arr.getJsonObject(i)));
    }
    return new JobBatch(specs);
  }

  @Override
  public JobBatch transform(JobBatch batch) {
    return batch;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
