package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorFactory;
import java.util.List;
import java.util.Map;

/** ComfyUI workers; on a machine each is bound to its own ComfyUI instance (its port). */
public final class ComfyUiConnectorFactory implements ConnectorFactory {
  @Override
  public String type() {
    return ComfyUiConnector.TYPE;
  }

  @Override
  public List<String> services() {
    return List.of("comfyui");
  }

  @Override
  public Connector create(ConfigSection section, Slot slot, Map<String, String> env) {
    ComfyUiConfig cu = ComfyUiConfig.from(section);
    // the machine binds each slot to its own instance: the planned port, else base port + GPU index
    Integer port = slot.servicePort() != null ? slot.servicePort()
        : slot.gpu() != null ? Integer.valueOf(cu.port(slot.gpu())) : null;
    if (port != null) {
      cu = ComfyUiConfig.from(section.with("base_port", port).with("port_per_gpu", false));
    }
    return new ComfyUiConnector(cu);
  }
}
