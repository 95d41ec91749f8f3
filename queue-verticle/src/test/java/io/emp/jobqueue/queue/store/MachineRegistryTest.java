package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MachineRegistryTest extends StoreTestSupport {

  @Test
  void registrationIsVisibleAndHeartbeatsRenewIt() {
    MachineRegistry reg = MachineRegistry.of(store);
    get(reg.register("m1", Map.of("profile", "sim"), Map.of("m1-w0", Map.of("type", "simulation")), 60_000, 1000));

    assertThat(get(reg.machine("m1")).getString("profile")).isEqualTo("sim");
    assertThat(get(reg.worker("m1-w0")).getString("type")).isEqualTo("simulation");
    assertThat(get(reg.machineIds())).containsExactly("m1");
    assertThat(get(reg.heartbeat("m1", List.of("m1-w0"), Map.of("status", "ready"), 60_000, 2000))).isTrue();
    assertThat(get(reg.machine("m1")).getString("status")).isEqualTo("ready");

    get(reg.unregister("m1", List.of("m1-w0")));
    assertThat(get(reg.machine("m1"))).isEmpty();
    assertThat(get(reg.worker("m1-w0"))).isEmpty();
    assertThat(get(reg.machineIds())).isEmpty();
  }

  @Test
  void aMachineThatStopsBeatingExpiresAndAHeartbeatThenAsksToReRegister() {
    MachineRegistry reg = MachineRegistry.of(store);
    get(reg.register("m2", Map.of("profile", "sim"), Map.of("m2-w0", Map.of("type", "simulation")), 200, 1000));

    await().atMost(Duration.ofSeconds(20)).until(() -> get(reg.machine("m2")).isEmpty()
        && get(reg.worker("m2-w0")).isEmpty());

    assertThat(get(reg.heartbeat("m2", List.of("m2-w0"), Map.of(), 60_000, 3000))).isFalse();
  }
}
