package io.emp.jobqueue.worker.simulation;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;

/**
 * Settings of the simulation connector.
 *
 * @param failureProbability chance in [0,1] that an attempt fails with {@code failureKind}
 * @param seed makes the draws repeatable: same seed, job id and attempt, same outcome
 */
public record SimulationConfig(int steps, long stepMs, double failureProbability, FailureKind failureKind,
                               long seed) {
  public static final int DEFAULT_STEPS = 5;
  public static final long DEFAULT_STEP_MS = 100;
  public static final double DEFAULT_FAILURE_PROBABILITY = 0.0;
  public static final FailureKind DEFAULT_FAILURE_KIND = FailureKind.RETRYABLE;
  public static final long DEFAULT_SEED = 42;
  public static final SimulationConfig DEFAULTS = new SimulationConfig(DEFAULT_STEPS, DEFAULT_STEP_MS,
      DEFAULT_FAILURE_PROBABILITY, DEFAULT_FAILURE_KIND, DEFAULT_SEED);

  /** How a simulated attempt fails; TIMEOUT never answers, so the worker's timeout ends it. */
  public enum FailureKind {
    RETRYABLE, PERMANENT, TIMEOUT;

    public static FailureKind fromWire(String s) {
      return switch (s) {
        case "retryable" -> RETRYABLE;
        case "permanent" -> PERMANENT;
        case "timeout" -> TIMEOUT;
        default -> throw new IllegalArgumentException("failure kind must be retryable, permanent or timeout: " + s);
      };
    }
  }

  public SimulationConfig {
    if (steps < 0 || stepMs < 0) {
      throw new IllegalArgumentException("steps and step_ms must be >= 0");
    }
    if (!(failureProbability >= 0 && failureProbability <= 1)) {
      throw new IllegalArgumentException("failure_probability must be within 0..1");
    }
    failureKind = failureKind == null ? DEFAULT_FAILURE_KIND : failureKind;
  }

  public static SimulationConfig from(JsonObject j) {
    return from(ConfigSection.of(j, "worker.connectors.simulation"));
  }

  /** Reads the "worker.connectors.simulation" section. */
  public static SimulationConfig from(ConfigSection j) {
    return new SimulationConfig(j.getInteger("steps", DEFAULT_STEPS), j.getLong("step_ms", DEFAULT_STEP_MS),
        j.getDouble("failure_probability", DEFAULT_FAILURE_PROBABILITY),
        FailureKind.fromWire(j.getString("failure_kind", DEFAULT_FAILURE_KIND.name().toLowerCase())),
        j.getLong("seed", DEFAULT_SEED));
  }
}
