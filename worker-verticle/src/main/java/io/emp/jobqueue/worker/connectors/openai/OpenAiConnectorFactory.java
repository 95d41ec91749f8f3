package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorFactory;
import java.util.List;
import java.util.Map;

/** OpenAI (or compatible) workers; the API key comes from the environment or the section. */
public final class OpenAiConnectorFactory implements ConnectorFactory {
  @Override
  public String type() {
    return OpenAiConnector.TYPE;
  }

  @Override
  public List<String> services() {
    return List.of("openai", "openai_text", "openai_image");
  }

  @Override
  public Connector create(ConfigSection section, Slot slot, Map<String, String> env) {
    return new OpenAiConnector(OpenAiConfig.from(section, env));
  }
}
