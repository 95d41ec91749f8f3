package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.Hardware;

/** What a worker needs to know about the machine it is deployed on. */
public record MachineInfo(String machineId, String profile, HardwareInfo hardware) {
  /**
   * The hardware a slot's worker offers in its capabilities: its own GPU (real: the card's memory;
   * simulated: count only, memory unknown), and the machine's CPU cores and RAM.
   */
  public Hardware workerHardware(WorkerSlot slot) {
    Double gpuCount = slot.binding().ownsGpu() ? 1.0 : 0.0;
    Double gpuMemory = null;
    if (slot.binding() == Binding.GPU && slot.gpu() != null && slot.gpu() < hardware.gpus().size()) {
      gpuMemory = Math.round(hardware.gpus().get(slot.gpu()).memoryMb() / 1024.0 * 10) / 10.0;
    }
    return new Hardware(gpuCount, gpuMemory, (double) hardware.cpuCores(), hardware.ramGb());
  }
}
