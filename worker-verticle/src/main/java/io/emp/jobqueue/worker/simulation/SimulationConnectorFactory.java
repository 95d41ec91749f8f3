package io.emp.jobqueue.worker.simulation;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorFactory;
import java.util.List;
import java.util.Map;

/** Simulation workers: jobs that pretend to work (tests, benchmarks, demos). */
public final class SimulationConnectorFactory implements ConnectorFactory {
  @Override
  public String type() {
    return SimulationConnector.TYPE;
  }

  @Override
  public List<String> services() {
    return List.of("simulation");
  }

  @Override
  public Connector create(ConfigSection section, Slot slot, Map<String, String> env) {
    return new SimulationConnector(SimulationConfig.from(section));
  }
}
