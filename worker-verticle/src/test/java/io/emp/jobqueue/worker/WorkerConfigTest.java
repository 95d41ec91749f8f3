package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.CustomerIsolation;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {
  @Test
  void readsCapabilitiesAndSettingsWithDefaults() {
    WorkerConfig c = WorkerConfig.from(new JsonObject().put("worker_id", "w1").put("machine_id", "m1")
        .put("services", new JsonArray().add("comfyui").add("sim")).put("concurrency", 4)
        .put("hardware", new JsonObject().put("gpu_count", 2).put("gpu_memory_gb", 24))
        .put("customer_isolation", "strict").put("allowed_customers", new JsonArray().add("c1"))
        .put("workflow_id", "wf-1").put("attributes", new JsonObject().put("region", "eu")));
    assertThat(c.workerId()).isEqualTo("w1");
    assertThat(c.machineId()).isEqualTo("m1");
    assertThat(c.concurrency()).isEqualTo(4);
    assertThat(c.leaseMs()).isEqualTo(WorkerConfig.DEFAULT_LEASE_MS);
    assertThat(c.idlePollMs()).isEqualTo(WorkerConfig.DEFAULT_IDLE_POLL_MS);
    WorkerCapabilities caps = c.capabilities();
    assertThat(caps.services()).containsExactly("comfyui", "sim");
    assertThat(caps.hardware().gpuCount()).isEqualTo(2.0);
    assertThat(caps.customerIsolation()).isEqualTo(CustomerIsolation.STRICT);
    assertThat(caps.allowedCustomers()).containsExactly("c1");
    assertThat(caps.workflowId()).isEqualTo("wf-1");
    assertThat(caps.attributes()).containsEntry("region", "eu");
  }

  @Test
  void aWitherChangesOnlyItsSettingAndTheBuilderRoundTrips() {
    WorkerConfig c = WorkerConfig.builder(WorkerCapabilities.of("w", "sim")).concurrency(3).lease(9_000, 2_000)
        .scanLimit(7).idlePoll(11).jobTimeout(13).progressThrottle(17).drainGrace(19).build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.withJobTimeout(23)).isEqualTo(new WorkerConfig(c.capabilities(), 3, 9_000, 2_000, 7, 11, 23, 17, 19));
    assertThat(c.withProgressThrottle(29)).isEqualTo(new WorkerConfig(c.capabilities(), 3, 9_000, 2_000, 7, 11, 13, 29,
        19));
    assertThat(c.withDrainGrace(31).drainGraceMs()).isEqualTo(31);
    assertThat(c.withIdlePoll(37).idlePollMs()).isEqualTo(37);
    assertThat(c.withConcurrency(5).concurrency()).isEqualTo(5);
    WorkerCapabilities other = WorkerCapabilities.of("w2", "sim");
    assertThat(c.withCapabilities(other)).isEqualTo(new WorkerConfig(other, 3, 9_000, 2_000, 7, 11, 13, 17, 19));
  }

  @Test
  void rejectsARenewIntervalAboveAThirdOfTheLease() {
    WorkerConfig ok = WorkerConfig.defaults(WorkerCapabilities.of("w", "sim"));
    assertThatThrownBy(() -> ok.withLease(3_000, 1_001)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("renew_interval_ms");
    assertThat(ok.withLease(3_000, 1_000).renewIntervalMs()).isEqualTo(1_000);
  }

  @Test
  void rejectsBadValues() {
    WorkerConfig ok = WorkerConfig.defaults(WorkerCapabilities.of("w", "sim"));
    assertThatThrownBy(() -> ok.withConcurrency(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ok.withIdlePoll(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WorkerConfig.from(new JsonObject().put("worker_id", "w")))
        .isInstanceOf(ValidationException.class);
  }
}
