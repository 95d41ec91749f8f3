package io.emp.jobqueue.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerSpecTest {
  private static final Set<String> GPU = MachineProfile.DEFAULT_GPU_BOUND_TYPES;

  @Test
  void autoMeansOneGpuBoundWorkerPerGpu() {
    List<WorkerSlot> slots = WorkerSpec.parse("comfyui:auto", GPU).resolve("m1", 3);
    assertThat(slots).extracting(WorkerSlot::gpu).containsExactly(0, 1, 2);
    assertThat(slots).allMatch(s -> s.binding() == Binding.GPU);
    assertThat(slots.get(2).workerId()).isEqualTo("m1-worker-comfyui-2");
  }

  @Test
  void autoOnAMachineWithoutGpusGivesNoGpuWorkers() {
    assertThat(WorkerSpec.parse("comfyui:auto", GPU).resolve("m1", 0)).isEmpty();
  }

  @Test
  void explicitGpuBoundCountIsCappedAtTheGpuCount() {
    assertThat(WorkerSpec.parse("comfyui:8", GPU).resolve("m1", 2)).hasSize(2);
    assertThat(WorkerSpec.parse("comfyui:1", GPU).resolve("m1", 4)).hasSize(1);
  }

  @Test
  void cpuTypesGetTheirCountAndNoGpu() {
    List<WorkerSlot> slots = WorkerSpec.parse("comfyui:auto,simulation:2", GPU).resolve("m1", 1);
    assertThat(slots).extracting(WorkerSlot::type).containsExactly("comfyui", "simulation", "simulation");
    assertThat(slots.get(1).binding()).isEqualTo(Binding.CPU);
    assertThat(slots.get(1).gpu()).isNull();
    assertThat(slots.get(2).index()).isEqualTo(1);
    assertThat(WorkerSpec.parse("openai:auto", GPU).resolve("m1", 0)).hasSize(1);
  }

  @Test
  void mockGpuSimulatesGpusWithoutCapping() {
    List<WorkerSlot> slots = WorkerSpec.parse("comfyui:2:mock_gpu", GPU).resolve("m1", 0);
    assertThat(slots).extracting(WorkerSlot::gpu).containsExactly(0, 1);
    assertThat(slots).allMatch(s -> s.binding() == Binding.MOCK_GPU);
    assertThat(WorkerSpec.parse("comfyui:auto:mock_gpu", GPU).resolve("m1", 0)).hasSize(WorkerSpec.DEFAULT_MOCK_AUTO);
  }

  @Test
  void explicitBindingOverridesTheTypeDefault() {
    assertThat(WorkerSpec.parse("simulation:2:gpu", GPU).resolve("m1", 1)).hasSize(1);
    assertThat(WorkerSpec.parse("comfyui:3:cpu", GPU).resolve("m1", 0)).hasSize(3);
  }

  @Test
  void toStringRoundTrips() {
    WorkerSpec spec = WorkerSpec.parse(" comfyui:auto , simulation:2 ", GPU);
    assertThat(spec.toString()).isEqualTo("comfyui:auto:gpu,simulation:2:cpu");
    assertThat(WorkerSpec.parse(spec.toString(), GPU)).isEqualTo(spec);
  }

  @Test
  void everyBadEntryIsReportedByPosition() {
    assertThatThrownBy(() -> WorkerSpec.parse("comfyui:0,sim,openai:x,ok:1:tpu,Bad!:1", GPU))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.problems())
            .extracting(Problem::field).containsExactly("workers[0]", "workers[1]", "workers[2]", "workers[3]",
                "workers[4]"));
    assertThatThrownBy(() -> WorkerSpec.parse(" ", GPU)).isInstanceOf(ValidationException.class);
  }
}
