package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The machine's worker specification, e.g. {@code comfyui:auto,simulation:2,comfyui:2:mock_gpu}:
 * comma-separated {@code type:count[:binding]} entries, count a positive number or {@code auto}.
 *
 * <p>Resolution against the detected hardware: a GPU-bound entry gets one slot per GPU for {@code auto}
 * and at most the GPU count when explicit (the reference caps it the same way, since two services
 * cannot share a card); {@code mock_gpu} simulates as many GPUs as asked ({@code auto} = {@value
 * #DEFAULT_MOCK_AUTO}); a CPU entry gets {@code count} slots ({@code auto} = 1).
 */
public record WorkerSpec(List<Entry> entries) {
  public static final int DEFAULT_MOCK_AUTO = 1;
  public static final int MAX_COUNT = 256;

  /** One entry; {@code count} null means auto. */
  public record Entry(String type, Integer count, Binding binding) {
    @Override
    public String toString() {
      return type + ":" + (count == null ? "auto" : count) + ":" + binding.wire();
    }
  }

  public WorkerSpec {
    entries = List.copyOf(entries);
  }

  /**
   * Parses the spec; entries without an explicit binding are GPU-bound when their type is in
   * {@code gpuBoundTypes}, CPU-bound otherwise. Every problem is reported, each naming its entry.
   */
  public static WorkerSpec parse(String spec, Set<String> gpuBoundTypes) {
    List<Problem> problems = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      throw new ValidationException(List.of(new Problem("workers", "required", "worker spec is empty")));
    }
    String[] parts = spec.split(",");
    for (int i = 0; i < parts.length; i++) {
      String field = "workers[" + i + "]";
      String raw = parts[i].trim();
      String[] f = raw.split(":", -1);
      if (f.length < 2 || f.length > 3) {
        problems.add(new Problem(field, "format", "'" + raw + "' is not type:count[:binding]"));
        continue;
      }
      String type = f[0].trim();
      if (!type.matches("[a-z0-9][a-z0-9_\\-]{0,63}")) {
        problems.add(new Problem(field, "type", "'" + type + "' is not a worker type ([a-z0-9_-])"));
        continue;
      }
      Integer count = null;
      String c = f[1].trim();
      if (!"auto".equals(c)) {
        try {
          count = Integer.parseInt(c);
        } catch (NumberFormatException e) {
          count = -1;
        }
        if (count < 1 || count > MAX_COUNT) {
          problems.add(new Problem(field, "count", "count '" + c + "' must be auto or 1.." + MAX_COUNT));
          continue;
        }
      }
      Binding binding = gpuBoundTypes.contains(type) ? Binding.GPU : Binding.CPU;
      if (f.length == 3) {
        binding = Binding.parse(f[2].trim());
        if (binding == null) {
          problems.add(new Problem(field, "binding", "binding '" + f[2].trim() + "' must be gpu, cpu or mock_gpu"));
          continue;
        }
      }
      entries.add(new Entry(type, count, binding));
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return new WorkerSpec(entries);
  }

  /** Worker slots for a machine with {@code gpuCount} real GPUs, numbered per type from 0. */
  public List<WorkerSlot> resolve(String machineId, int gpuCount) {
    List<WorkerSlot> slots = new ArrayList<>();
    for (Entry e : entries) {
      int n = switch (e.binding()) {
        case GPU -> e.count() == null ? gpuCount : Math.min(e.count(), gpuCount);
        case MOCK_GPU -> e.count() == null ? DEFAULT_MOCK_AUTO : e.count();
        case CPU -> e.count() == null ? 1 : e.count();
      };
      int first = (int) slots.stream().filter(s -> s.type().equals(e.type())).count();
      for (int i = 0; i < n; i++) {
        int index = first + i;
        slots.add(new WorkerSlot(machineId + "-worker-" + e.type() + "-" + index, e.type(), index, e.binding(),
            e.binding().ownsGpu() ? i : null, null));
      }
    }
    return slots;
  }

  @Override
  public String toString() {
    return entries.stream().map(Entry::toString).collect(Collectors.joining(","));
  }
}
