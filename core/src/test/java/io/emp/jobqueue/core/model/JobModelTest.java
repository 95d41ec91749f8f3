package io.emp.jobqueue.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobModelTest {

  @Test
  void transitionTableAllowsOnlyTheLifecycle() {
    assertThat(JobStatus.PENDING.canMoveTo(JobStatus.ASSIGNED)).isTrue();
    assertThat(JobStatus.PENDING.canMoveTo(JobStatus.COMPLETED)).isFalse();
    assertThat(JobStatus.ASSIGNED.canMoveTo(JobStatus.PENDING)).as("drained worker hands back").isTrue();
    assertThat(JobStatus.DELAYED.canMoveTo(JobStatus.ASSIGNED)).as("must be promoted first").isFalse();
    for (JobStatus s : JobStatus.values()) {
      assertThat(s.isFinal()).isEqualTo(s == JobStatus.COMPLETED || s == JobStatus.FAILED
          || s == JobStatus.CANCELLED);
      if (s.isFinal()) {
        assertThat(s.next()).isEmpty();
      }
    }
    assertThat(JobStatus.transitionTable().get("in_progress")).contains("completed", "delayed", "failed");
  }

  @Test
  void onlyAnOperatorTakesAFailedOrCancelledJobBackToPending() {
    assertThat(JobStatus.FAILED.canMoveTo(JobStatus.PENDING)).as("not in the lifecycle").isFalse();
    assertThat(JobStatus.FAILED.operatorCanMoveTo(JobStatus.PENDING)).isTrue();
    assertThat(JobStatus.CANCELLED.operatorCanMoveTo(JobStatus.PENDING)).isTrue();
    assertThat(JobStatus.DELAYED.operatorCanMoveTo(JobStatus.PENDING)).as("promote now").isTrue();
    assertThat(JobStatus.COMPLETED.operatorCanMoveTo(JobStatus.PENDING)).isFalse();
    assertThat(JobStatus.IN_PROGRESS.operatorCanMoveTo(JobStatus.PENDING)).isFalse();
    assertThat(JobStatus.operatorTransitionTable()).containsOnlyKeys("failed", "cancelled", "delayed");
  }

  @Test
  void priorityScoreOrdersPriorityThenTimeExactly() {
    long t = 1_764_000_000_123L;
    assertThat(PriorityScore.of(90, t)).isLessThan(PriorityScore.of(10, t - 1_000_000));
    assertThat(PriorityScore.of(50, t)).isLessThan(PriorityScore.of(50, t + 1));
    long s = PriorityScore.of(1000, t);
    assertThat(PriorityScore.priorityOf(s)).isEqualTo(1000);
    assertThat(PriorityScore.timeOf(PriorityScore.of(0, t))).isEqualTo(t);
    assertThat((double) PriorityScore.of(0, t)).as("exact as a double").isEqualTo((double) PriorityScore.of(0, t));
    assertThat(PriorityScore.of(0, PriorityScore.band() - 1)).isLessThan(1L << 53);
  }

  @Test
  void specAcceptsReferenceAliasesAndDefaults() {
    JobSpec s = JobSpec.fromJson(new JsonObject().put("job_type", "comfyui"), JobLimits.DEFAULTS);
    assertThat(s.serviceRequired()).isEqualTo("comfyui");
    assertThat(s.priority()).isEqualTo(JobLimits.DEFAULT_PRIORITY);
    assertThat(s.maxRetries()).isEqualTo(JobLimits.DEFAULT_MAX_RETRIES);
    assertThat(JobSpec.fromJson(s.toJson(), JobLimits.DEFAULTS)).isEqualTo(s);
  }

  @Test
  void specCrossesTheEventBusWireUnchangedAndNeverInvalid() {
    JobSpec s = JobSpec.fromJson(new JsonObject().put("service_required", "comfyui").put("priority", 7)
        .put("payload", new JsonObject().put("prompt", "caf\u00e9")).put("ctx", new JsonObject().put("b", 1))
        .put("requirements", new JsonObject().put("models", new io.vertx.core.json.JsonArray().add("sdxl")))
        .put("workflow_id", "wf").put("current_step", 1).put("total_steps", 2).put("timeout_ms", 9000)
        .put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), JobLimits.DEFAULTS);
    JobSpecCodec codec = new JobSpecCodec();
    io.vertx.core.buffer.Buffer wire = io.vertx.core.buffer.Buffer.buffer("x");
    codec.encodeToWire(wire, s);
    assertThat(codec.decodeFromWire(1, wire)).isEqualTo(s);
    assertThat(codec.transform(s)).as("in one JVM the immutable spec itself").isSameAs(s);
    // a batch travels as one message with every spec in its order
    JobBatch batch = new JobBatch(java.util.List.of(s.withId("j-1"), JobSpec.of("other", 7, new JsonObject()).withIdempotencyKey("k")));
    JobBatchCodec batchCodec = new JobBatchCodec();
    io.vertx.core.buffer.Buffer batchWire = io.vertx.core.buffer.Buffer.buffer("xy");
    batchCodec.encodeToWire(batchWire, batch);
    assertThat(batchCodec.decodeFromWire(2, batchWire)).isEqualTo(batch);
    assertThat(batch.repeatable()).as("the first job has an id, the second a key").isTrue();
    assertThat(new JobBatch(java.util.List.of(JobSpec.of("x", 1, new JsonObject()))).repeatable()).isFalse();
    assertThat(s.payloadBytes()).isEqualTo(s.payloadJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);

    // a changed copy is validated again, against the limits the spec was made with
    JobSpec limited = JobSpec.fromJson(new JsonObject().put("service_required", "x"),
        new JobLimits(1024, 10, 5, 3, 5, 1024));
    assertThatThrownBy(() -> limited.withMaxRetries(6)).isInstanceOf(ValidationException.class);
    JsonObject payload = s.payload();
    payload.put("prompt", "changed");
    assertThat(s.payload().getString("prompt")).as("the spec hands out copies").isEqualTo("caf\u00e9");
  }

  @Test
  void aJobKnowsItsStoredPayloadSizeAndReadsFloatFormNumbers() {
    String payload = new JsonObject().put("prompt", "caf\u00e9 \u2615 \ud83d\ude00").encode();
    Job j = Job.fromHash(java.util.Map.of(Job.F.ID, "j1", Job.F.STATUS, "pending", Job.F.PAYLOAD, payload, Job.F.ATTEMPT, "2.0e0",
        Job.F.SEQ, "12"));
    assertThat(j.payloadBytes()).isEqualTo(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    assertThat(j.attempt()).isEqualTo(2);
    assertThat(j.seq()).isEqualTo(12L);
    assertThat(Job.fromHash(java.util.Map.of(Job.F.ID, "j2", Job.F.STATUS, "pending")).payloadBytes()).as("no payload: {}").isEqualTo(2);
  }

  @Test
  void aJobReadsEveryTimestampIntoItsOwnNamedField() {
    Job j = Job.fromHash(java.util.Map.ofEntries(java.util.Map.entry(Job.F.ID, "j1"),
        java.util.Map.entry(Job.F.STATUS, "completed"), java.util.Map.entry(Job.F.CREATED_AT, "1"),
        java.util.Map.entry(Job.F.ASSIGNED_AT, "2"), java.util.Map.entry(Job.F.STARTED_AT, "3"),
        java.util.Map.entry(Job.F.COMPLETED_AT, "4"), java.util.Map.entry(Job.F.UPDATED_AT, "5"),
        java.util.Map.entry(Job.F.LEASE_UNTIL, "6"), java.util.Map.entry(Job.F.DUE_AT, "7"),
        java.util.Map.entry(Job.F.SCORE, "8"), java.util.Map.entry(Job.F.SEQ, "9"),
        java.util.Map.entry(Job.F.ATTEMPT, "2"), java.util.Map.entry(Job.F.MAX_RETRIES, "3"),
        java.util.Map.entry(Job.F.WORKFLOW, "wf"), java.util.Map.entry(Job.F.CURRENT_STEP, "1"),
        java.util.Map.entry(Job.F.TOTAL_STEPS, "2")));
    assertThat(j.times()).isEqualTo(new Job.Times(1, 2L, 3L, 4L, null, null, 5L, 6L, 7L));
    assertThat(List.of(j.createdAt(), j.assignedAt(), j.startedAt(), j.completedAt(), j.updatedAt(), j.leaseUntil(),
        j.dueAt(), j.priorityScore(), j.seq())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(j.attempt()).isEqualTo(2);
    assertThat(j.maxRetries()).isEqualTo(3);
    assertThat(j.retryCount()).isEqualTo(1);
    assertThat(j.workflow()).isEqualTo(new Job.WorkflowStep("wf", null, null, 1, 2));
    JsonObject json = Job.fromHash(java.util.Map.of(Job.F.ID, "j1", Job.F.STATUS, "completed", Job.F.CREATED_AT, "1",
        Job.F.COMPLETED_AT, "4")).toJson();
    assertThat(json.getLong(Job.F.CREATED_AT)).isEqualTo(1L);
    assertThat(json.getLong(Job.F.COMPLETED_AT)).isEqualTo(4L);
    assertThat(json.containsKey(Job.F.ASSIGNED_AT)).isFalse();
  }

  @Test
  void specValidationReportsEveryProblem() {
    JsonObject bad = new JsonObject().put("service_required", "ok").put("workflow_priority", 5)
        .put("current_step", 4).put("total_steps", 2).put("traceparent", "garbage").put("id", "has space")
        .put("requirements", new JsonObject().put("customer_isolation", "total").put("models", "one")
            .put("attributes", new JsonObject().put("nested", new JsonObject())));
    assertThatThrownBy(() -> JobSpec.fromJson(bad, JobLimits.DEFAULTS))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.problems())
            .extracting(Problem::field).containsExactlyInAnyOrder("workflow_id", "current_step", "traceparent", "id",
                "requirements.customer_isolation", "requirements.attributes.nested"));
  }

  @Test
  void traceContextKeepsOnlyValidTraceparents() {
    assertThat(TraceContext.of("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03").traceId())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(TraceContext.of("00-00000000000000000000000000000000-b7ad6b7169203331-01").isPresent()).isFalse();
    assertThat(TraceContext.of("nonsense").isPresent()).isFalse();
  }

  @Test
  void workerCapabilitiesRoundTripAndValidate() {
    WorkerCapabilities caps = WorkerCapabilities.of("w-1", "sim", "comfyui")
        .withHardware(new Hardware(1.0, 24.0, 16.0, 64.0)).withWorkflow("wf");
    assertThat(WorkerCapabilities.fromJson(caps.toJson())).isEqualTo(caps);
    assertThatThrownBy(() -> WorkerCapabilities.fromJson(new JsonObject().put("services", "x")))
        .isInstanceOf(ValidationException.class);
  }
}
