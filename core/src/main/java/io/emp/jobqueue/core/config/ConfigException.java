package io.emp.jobqueue.core.config;

/**
 * A node configuration the launcher refuses: an unknown key, a value of the wrong type, a missing or
 * unreadable file. The message is one line that names the key (dotted path) or file; the launcher
 * prints it and exits 2.
 */
public class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }
}
