package io.emp.jobqueue.worker.spi;

import io.emp.jobqueue.core.config.ConfigSection;
import java.util.List;
import java.util.Map;

/**
 * Makes the connectors of one worker type. Factories are found with {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/io.emp.jobqueue.worker.spi.ConnectorFactory}), so a new
 * connector is a factory and that one line: the launcher, the machine and the worker stay as they are.
 * See {@link ConnectorRegistry}.
 */
public interface ConnectorFactory {
  /** The worker type, as machine profiles and {@code EMP_WORKERS} name it (e.g. "comfyui"). */
  String type();

  /** The {@code service_required} values a worker of this type serves. */
  List<String> services();

  /**
   * A connector from its config section ({@code worker.connectors.<type>}). Must read every key it
   * accepts, even when it uses its default: the section reader names the keys nobody read as typos.
   *
   * @param slot where the worker runs: its GPU and the port of the service instance bound to it
   * @param env the process environment (API keys come from there, never from code)
   */
  Connector create(ConfigSection section, Slot slot, Map<String, String> env);

  /** A worker's place on its machine; both null outside a machine (tests, a config check). */
  record Slot(Integer gpu, Integer servicePort) {
    public static final Slot NONE = new Slot(null, null);
  }
}
