package io.emp.jobqueue.bench;

import io.emp.jobqueue.queue.store.JobStore;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.LinkedHashMap;
import java.util.Map;

/** The bench's reads of Redis INFO, parsed in one place (CPU, memory, per-command counters). */
final class RedisInfo {
  private RedisInfo() {
  }

  /** One command's counters from {@code INFO commandstats}. */
  record CommandStat(long calls, long usec) {
  }

  /** The {@code name:value} lines of one INFO section. */
  static Map<String, String> section(JobStore store, String section) {
    String info = StoreBench.await(store.redis().send(Request.cmd(Command.INFO).arg(section))).toString();
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** One numeric field of an INFO text ({@code name:value} lines). */
  static double field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new IllegalStateException("INFO has no " + name);
  }

  /** Redis CPU time so far (user + system), seconds. */
  static double cpuSeconds(JobStore store) {
    Map<String, String> cpu = section(store, "cpu");
    return Double.parseDouble(cpu.get("used_cpu_user")) + Double.parseDouble(cpu.get("used_cpu_sys"));
  }

  static long usedMemory(JobStore store) {
    return Long.parseLong(section(store, "memory").get("used_memory"));
  }

  /** Command name (lower case, as Redis names it) to its counters since the last CONFIG RESETSTAT. */
  static Map<String, CommandStat> commandStats(JobStore store) {
    Map<String, CommandStat> out = new LinkedHashMap<>();
    section(store, "commandstats").forEach((k, v) -> {
      if (!k.startsWith("cmdstat_")) {
        return;
      }
      long calls = 0;
      long usec = 0;
      for (String kv : v.split(",")) {
        String[] p = kv.split("=");
        if (p[0].equals("calls")) {
          calls = Long.parseLong(p[1]);
        } else if (p[0].equals("usec")) {
          usec = Long.parseLong(p[1]);
        }
      }
      out.put(k.substring("cmdstat_".length()), new CommandStat(calls, usec));
    });
    return out;
  }
}
