package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.CustomerIsolation;
import io.emp.jobqueue.core.model.Hardware;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.Requirements;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MatchingTest extends StoreTestSupport {
  static final WorkerCapabilities PLAIN = WorkerCapabilities.of("plain", "sim");

  String submit(JobSpec spec) {
    return get(store.submit(spec)).jobId();
  }

  JobSpec job(Requirements req) {
    return JobSpec.of("sim", 50, new JsonObject()).withRequirements(req);
  }

  Optional<String> claim(WorkerCapabilities caps) {
    return get(store.claim(caps, 20, 60_000)).job().map(c -> c.job().id());
  }

  static Requirements req(Hardware hw, List<String> models, CustomerIsolation iso, Map<String, Object> attrs,
                          Map<String, Object> negative) {
    return new Requirements(hw, models, iso, attrs, negative);
  }

  @Test
  void hardwareMinimums() {
    String id = submit(job(req(new Hardware(1.0, 16.0, null, 32.0), null, null, null, null)));
    assertThat(claim(PLAIN)).as("worker with unknown hardware").isEmpty();
    assertThat(claim(PLAIN.withHardware(new Hardware(1.0, 8.0, 8.0, 64.0)))).as("too little VRAM").isEmpty();
    assertThat(claim(PLAIN.withHardware(new Hardware(2.0, 24.0, 8.0, 64.0)))).contains(id);
  }

  @Test
  void modelsPerService() {
    String id = submit(job(req(null, List.of("sdxl", "flux"), null, null, null)));
    assertThat(claim(PLAIN.withModels(Map.of("sim", List.of("sdxl"))))).as("one model missing").isEmpty();
    assertThat(claim(PLAIN.withModels(Map.of("other", List.of("sdxl", "flux"))))).as("models of another service")
        .isEmpty();
    assertThat(claim(PLAIN.withModels(Map.of("sim", List.of("flux", "sdxl", "sd15"))))).contains(id);
  }

  @Test
  void attributesPositiveAndNegative() {
    String eu = submit(job(req(null, null, null, Map.of("region", "eu", "vram_class", 2), null)));
    WorkerCapabilities usWorker = PLAIN.withAttributes(Map.of("region", "us", "vram_class", 3));
    assertThat(claim(usWorker)).isEmpty();
    assertThat(claim(PLAIN.withAttributes(Map.of("region", "eu", "vram_class", 1)))).as("number is a minimum")
        .isEmpty();
    assertThat(claim(PLAIN.withAttributes(Map.of("region", "eu", "vram_class", 2)))).contains(eu);

    String noSpot = submit(job(req(null, null, null, null, Map.of("tags", List.of("spot", "preemptible")))));
    assertThat(claim(PLAIN.withAttributes(Map.of("tags", List.of("gpu", "spot"))))).as("negative hit").isEmpty();
    assertThat(claim(PLAIN.withAttributes(Map.of("tags", List.of("gpu", "reserved"))))).contains(noSpot);
  }

  @Test
  void customerIsolationAndAllowDenyLists() {
    String strictJob = submit(job(req(null, null, CustomerIsolation.STRICT, null, null)).withCustomer("acme"));
    assertThat(claim(PLAIN)).as("strict job on a shared worker").isEmpty();
    assertThat(claim(PLAIN.withIsolation(CustomerIsolation.STRICT, List.of("globex"), List.of())))
        .as("dedicated to another customer").isEmpty();
    assertThat(claim(PLAIN.withIsolation(CustomerIsolation.STRICT, List.of("acme"), List.of()))).contains(strictJob);

    String plainJob = submit(job(Requirements.NONE).withCustomer("acme"));
    assertThat(claim(PLAIN.withIsolation(CustomerIsolation.NONE, List.of(), List.of("acme")))).as("denied")
        .isEmpty();
    String anonymous = submit(job(Requirements.NONE));
    assertThat(claim(PLAIN.withIsolation(CustomerIsolation.STRICT, List.of("acme"), List.of())))
        .as("dedicated worker takes its customer's plain job, never the anonymous one").contains(plainJob);
    assertThat(claim(PLAIN.withIsolation(CustomerIsolation.STRICT, List.of("acme"), List.of()))).isEmpty();
    assertThat(claim(PLAIN)).contains(anonymous);

    String loose = submit(job(req(null, null, CustomerIsolation.LOOSE, null, null)).withCustomer("acme"));
    assertThat(claim(PLAIN)).as("loose needs at least a loose worker").isEmpty();
    assertThat(claim(PLAIN.withIsolation(CustomerIsolation.LOOSE, List.of(), List.of()))).contains(loose);
  }

  @Test
  void workflowPinning() {
    String other = submit(JobSpec.of("sim", 90, new JsonObject()).withWorkflow("wf-other", null, null, 1, 2));
    String mine = submit(JobSpec.of("sim", 10, new JsonObject()).withWorkflow("wf-mine", null, null, 1, 2));
    assertThat(claim(PLAIN.withWorkflow("wf-mine"))).as("pinned worker skips higher-priority foreign steps")
        .contains(mine);
    assertThat(claim(PLAIN.withWorkflow("wf-mine"))).isEmpty();
    assertThat(claim(PLAIN)).contains(other);
  }

  @Test
  void bestJobAcrossServicesAndScanLimit() {
    WorkerCapabilities both = WorkerCapabilities.of("w", "a", "b");
    submit(JobSpec.of("a", 10, new JsonObject()));
    String bHigh = submit(JobSpec.of("b", 80, new JsonObject()));
    assertThat(claim(both)).as("higher priority wins across services").contains(bHigh);

    // Five unmatched jobs ahead: a scan limit of 3 never reaches the matching sixth.
    for (int i = 0; i < 5; i++) {
      submit(JobSpec.of("c", 90, new JsonObject())
          .withRequirements(req(new Hardware(8.0, null, null, null), null, null, null, null)));
    }
    String reachable = submit(JobSpec.of("c", 10, new JsonObject()));
    WorkerCapabilities c = WorkerCapabilities.of("wc", "c");
    ClaimResult limited = get(store.claim(c, 3, 60_000));
    assertThat(limited.job()).isEmpty();
    assertThat(limited.jobsEvaluated()).isEqualTo(3);
    ClaimResult wide = get(store.claim(c, 10, 60_000));
    assertThat(wide.job().map(j -> j.job().id())).contains(reachable);
    assertThat(wide.jobsEvaluated()).isEqualTo(6);
  }

  @Test
  void backlogOfOneServiceDoesNotStarveAnother() {
    // 10,000 jobs of A that this worker cannot run sit ahead in priority; B's job is still claimed at once.
    Requirements gpu = req(new Hardware(8.0, null, null, null), null, null, null, null);
    List<io.vertx.core.Future<SubmitResult>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      all.add(store.submit(JobSpec.of("a", 100, new JsonObject().put("i", i)).withRequirements(gpu)));
    }
    get(io.vertx.core.Future.all(all));
    String b = submit(JobSpec.of("b", 1, new JsonObject()));
    ClaimResult r = get(store.claim(WorkerCapabilities.of("w", "a", "b"), 25, 60_000));
    assertThat(r.job().map(j -> j.job().id())).contains(b);
    assertThat(r.jobsEvaluated()).as("A's backlog costs at most its scan limit").isLessThanOrEqualTo(26);
    assertThat(r.pendingCount()).isEqualTo(10_000);
  }
}
