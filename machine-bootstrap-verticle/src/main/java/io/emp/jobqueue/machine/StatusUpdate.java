package io.emp.jobqueue.machine;

import java.util.Locale;

/** Why a machine status event was sent, named as the reference's aggregator names update types. */
public enum StatusUpdate {
  INITIAL, PERIODIC, EVENT_DRIVEN, MACHINE_READY, SHUTDOWN;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
