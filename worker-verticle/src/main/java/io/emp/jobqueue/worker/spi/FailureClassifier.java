package io.emp.jobqueue.worker.spi;

import io.emp.jobqueue.core.model.Failure;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * Default mapping from an exception to retryable/permanent with a failure type, using the
 * reference system's vocabulary (timeout, network_error, service_error, validation_error, ...).
 * Types are decided from exception classes, never from message text.
 */
public final class FailureClassifier {
  private FailureClassifier() {
  }

  public static Failure classify(Throwable error) {
    Throwable e = error;
    while (e != null) {
      if (e instanceof ConnectorException ce) {
        return ce.failure();
      }
      if (e instanceof TimeoutException) {
        return Failure.retryable("timeout", String.valueOf(e.getMessage()));
      }
      if (e instanceof ConnectException || e instanceof java.io.IOException
          || e instanceof io.vertx.core.http.HttpClosedException) {
        return Failure.retryable("network_error", String.valueOf(e.getMessage()));
      }
      if (e instanceof IllegalArgumentException) {
        return Failure.permanent("validation_error", String.valueOf(e.getMessage()));
      }
      e = e.getCause() == e ? null : e.getCause();
    }
    return Failure.retryable("system_error", error == null ? "unknown error" : String.valueOf(error.getMessage()));
  }
}
