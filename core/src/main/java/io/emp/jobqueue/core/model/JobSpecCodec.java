package io.emp.jobqueue.core.model;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * Carries a validated {@link JobSpec} over the event bus, so the queue takes the spec the gateway
 * validated instead of validating a JSON body again. In one JVM the spec itself is handed over (it
 * is immutable); between nodes it travels as {@link JobSpec#toWire()}.
 */
public final class JobSpecCodec implements MessageCodec<JobSpec, JobSpec> {
  public static final String NAME = "emp.job-spec";

  /** Registers the codec as the default for {@link JobSpec} on {@code vertx}, once. */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(JobSpec.class, new JobSpecCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // the queue and its clients share one Vert.x: whoever comes second finds it there
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, JobSpec spec) {
    Buffer json = spec.toWire().toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public JobSpec decodeFromWire(int pos, Buffer buffer) {
    int len = buffer.getInt(pos);
    return JobSpec.fromWire(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + len)));
  }

  @Override
  public JobSpec transform(JobSpec spec) {
    return spec;
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
