package io.emp.jobqueue.worker.spi;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The connector factories on the class path, by worker type. */
public final class ConnectorRegistry {
  private final Map<String, ConnectorFactory> factories;

  private ConnectorRegistry(Map<String, ConnectorFactory> factories) {
    this.factories = Collections.unmodifiableMap(factories);
  }

  /** Every factory {@link ServiceLoader} finds; two for one type is a packaging error. */
  public static ConnectorRegistry load() {
    Map<String, ConnectorFactory> byType = new TreeMap<>();
    for (ConnectorFactory f : ServiceLoader.load(ConnectorFactory.class, ConnectorRegistry.class.getClassLoader())) {
      ConnectorFactory earlier = byType.putIfAbsent(f.type(), f);
      if (earlier != null) {
        throw new IllegalStateException("two connector factories for worker type '" + f.type() + "': "
            + earlier.getClass().getName() + " and " + f.getClass().getName());
      }
    }
    return new ConnectorRegistry(byType);
  }

  public List<String> types() {
    return List.copyOf(factories.keySet());
  }

  /** The factory of {@code type}; an unknown type names the known ones. */
  public ConnectorFactory factory(String type) {
    ConnectorFactory f = factories.get(type);
    if (f == null) {
      throw new IllegalArgumentException("no connector for worker type '" + type + "'; known: " + types());
    }
    return f;
  }
}
