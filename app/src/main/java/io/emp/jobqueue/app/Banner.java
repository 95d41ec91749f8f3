package io.emp.jobqueue.app;

/** What a new user needs after start: where things are and a command that submits a job. */
final class Banner {
  private Banner() {
  }

  static void print(NodeConfig cfg, Node node) {
    StringBuilder sb = new StringBuilder("\nEMP Job Queue is running (roles: ").append(cfg.roles())
        .append(", native transport: ").append(node.nativeTransport()).append(")\n\n");
    node.lines().forEach(u -> sb.append("  ").append(u).append('\n'));
    sb.append('\n').append(samplingLine(cfg)).append('\n');
    sb.append("\nPress Ctrl-C to stop.\n");
    System.out.println(sb);
  }

  static String samplingLine(NodeConfig cfg) {
    return cfg.samplingEnabled()
        ? "Tail sampling on: errors, jobs over 5 s and VIP customers kept, 50%/10% of faster traces (--sampling off keeps all)"
        : "Tail sampling off: every trace is kept (--sampling on applies the production policy)";
  }
}
