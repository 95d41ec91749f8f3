package io.emp.jobqueue.machine;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for ComfyUI in supervisor tests, run as a real child JVM. Options:
 * {@code --port P} serve GET /health; {@code --delay-ms D} wait before serving (a slow start);
 * {@code --crash-after-ms N} exit(3) N ms after answering its first health check, on every run, or with
 * {@code --crash-marker F} only on the first run (F absent: create it);
 * {@code --ignore-term} keep running on SIGTERM until killed.
 */
public final class FakeService {
  private FakeService() {
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    long delay = 0;
    long crashAfter = -1;
    Path marker = null;
    boolean ignoreTerm = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--delay-ms" -> delay = Long.parseLong(args[++i]);
        case "--crash-after-ms" -> crashAfter = Long.parseLong(args[++i]);
        case "--crash-marker" -> marker = Path.of(args[++i]);
        case "--ignore-term" -> ignoreTerm = true;
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    System.out.println("fake service starting on port " + port + " pid " + ProcessHandle.current().pid());
    System.out.flush();
    boolean firstRun = marker != null && !Files.exists(marker);
    if (firstRun) {
      Files.writeString(marker, "crashed once");
    }
    if (ignoreTerm) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        System.out.println("got SIGTERM, ignoring");
        System.out.flush();
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    } else {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        System.out.println("stopped gracefully");
        System.out.flush();
      }));
    }
    // Simulates a model load: the service is up but not listening yet.
    Thread.sleep(delay);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    // Without a marker it crashes on every run (a broken service); with one, only on the first.
    boolean crash = crashAfter >= 0 && (marker == null || firstRun);
    long crashDelay = crashAfter;
    java.util.concurrent.atomic.AtomicBoolean seen = new java.util.concurrent.atomic.AtomicBoolean();
    server.createContext("/health", ex -> {
      byte[] body = "{\"status\":\"ok\"}".getBytes();
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
      // The countdown starts once a health check has been answered, so the supervisor has seen it healthy.
      if (crash && seen.compareAndSet(false, true)) {
        Thread t = new Thread(() -> {
          try {
            Thread.sleep(crashDelay);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          System.out.println("fake service crashing");
          System.out.flush();
          Runtime.getRuntime().halt(3);
        });
        t.setDaemon(true);
        t.start();
      }
    });
    server.start();
    System.out.println("fake service ready");
    System.out.flush();
    Thread.currentThread().join();
  }

  /** argv prefix that runs this class in a child JVM with the test classes on its classpath. */
  static java.util.List<String> command() throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    String cp = Path.of(FakeService.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    return java.util.List.of(javaBin, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", cp, FakeService.class.getName());
  }
}
