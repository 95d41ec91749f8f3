package io.emp.jobqueue.app;

import java.util.HashMap;
import java.util.Map;

/** --name value / --name=value command-line flags. */
final class Flags {
  private Flags() {
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'; flags look like --roles all");
      }
      String name = a.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        m.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        m.put(name, args[++i]);
      } else {
        m.put(name, "true");
      }
    }
    return m;
  }
}
