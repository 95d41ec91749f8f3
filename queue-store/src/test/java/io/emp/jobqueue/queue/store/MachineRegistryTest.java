package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.queue.store.MachineRegistry.Beat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MachineRegistryTest extends StoreTestSupport {

  @Test
  void registrationIsVisibleAndHeartbeatsRenewIt() {
    MachineRegistry reg = MachineRegistry.of(store);
    get(reg.register("m1", "run-a", Map.of("profile", "sim"), Map.of("m1-w0", Map.of("type", "simulation")), 60_000,
        1000));

    assertThat(get(reg.machine("m1")).getString("profile")).isEqualTo("sim");
    assertThat(get(reg.machine("m1")).getString("instance")).isEqualTo("run-a");
    assertThat(get(reg.worker("m1-w0")).getString("type")).isEqualTo("simulation");
    assertThat(get(reg.machineIds())).containsExactly("m1");
    assertThat(get(reg.heartbeat("m1", "run-a", List.of("m1-w0"), Map.of("status", "ready"), 60_000, 2000)))
        .isEqualTo(Beat.ALIVE);
    assertThat(get(reg.machine("m1")).getString("status")).isEqualTo("ready");
    assertThat(get(reg.machine("m1")).getString("last_heartbeat")).isEqualTo("2000");

    get(reg.unregister("m1", "run-a", List.of("m1-w0")));
    assertThat(get(reg.machine("m1"))).isEmpty();
    assertThat(get(reg.worker("m1-w0"))).isEmpty();
    assertThat(get(reg.machineIds())).isEmpty();
  }

  @Test
  void aMachineThatStopsBeatingExpiresAndAHeartbeatThenAsksToReRegister() {
    MachineRegistry reg = MachineRegistry.of(store);
    get(reg.register("m2", "run-a", Map.of("profile", "sim"), Map.of("m2-w0", Map.of("type", "simulation")), 200,
        1000));

    await().atMost(Duration.ofSeconds(20)).until(() -> get(reg.machine("m2")).isEmpty()
        && get(reg.worker("m2-w0")).isEmpty());

    assertThat(get(reg.heartbeat("m2", "run-a", List.of("m2-w0"), Map.of(), 60_000, 3000))).isEqualTo(Beat.GONE);
  }

  @Test
  void aSecondInstanceCannotTakeALiveMachineIdNorTouchItsRegistration() {
    MachineRegistry reg = MachineRegistry.of(store);
    get(reg.register("dup", "run-a", Map.of("profile", "sim"), Map.of("dup-w0", Map.of("type", "simulation")),
        60_000, 1000));

    assertThatThrownBy(() -> get(reg.register("dup", "run-b", Map.of("profile", "other"),
        Map.of("dup-w0", Map.of("type", "comfyui")), 60_000, 1500)))
        .isInstanceOfSatisfying(MachineIdTakenException.class, e -> {
          assertThat(e.machineId()).isEqualTo("dup");
          assertThat(e.holder()).isEqualTo("run-a");
          assertThat(e.lastHeartbeatMs()).isEqualTo(1000L);
          assertThat(e.getMessage()).contains("'dup'");
        });
    assertThat(get(reg.heartbeat("dup", "run-b", List.of("dup-w0"), Map.of("status", "x"), 60_000, 2000)))
        .isEqualTo(Beat.TAKEN);
    get(reg.unregister("dup", "run-b", List.of("dup-w0")));

    // the first instance's registration is as it wrote it
    assertThat(get(reg.machine("dup")).getString("profile")).isEqualTo("sim");
    assertThat(get(reg.machine("dup")).getString("instance")).isEqualTo("run-a");
    assertThat(get(reg.worker("dup-w0")).getString("type")).isEqualTo("simulation");
    assertThat(get(reg.machineIds())).containsExactly("dup");
    assertThat(get(reg.heartbeat("dup", "run-a", List.of("dup-w0"), Map.of(), 60_000, 3000))).isEqualTo(Beat.ALIVE);
  }

  @Test
  void anExpiredRegistrationOfAnotherInstanceIsTakenOver() {
    MachineRegistry reg = MachineRegistry.of(store);
    get(reg.register("crashed", "run-a", Map.of("profile", "sim"), Map.of(), 200, 1000));
    await().atMost(Duration.ofSeconds(20)).until(() -> get(reg.machine("crashed")).isEmpty());

    get(reg.register("crashed", "run-b", Map.of("profile", "sim"), Map.of(), 60_000, 5000));
    assertThat(get(reg.machine("crashed")).getString("instance")).isEqualTo("run-b");
  }
}
