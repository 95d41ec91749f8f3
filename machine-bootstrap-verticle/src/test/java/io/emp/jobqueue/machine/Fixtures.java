package io.emp.jobqueue.machine;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Real things for the tests: a local HTTP file server, bare git repositories, archives. */
final class Fixtures {
  private Fixtures() {
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Serves byte arrays by path, honouring Range requests. A path registered with {@code dropOnce}
   * announces the full length, sends half and closes the connection on its first request.
   */
  static final class FileServer implements AutoCloseable {
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Map<String, Boolean> dropOnce = new ConcurrentHashMap<>();
    /** Paths whose first request gets the head and half the body, then nothing more (the connection stays open). */
    final Map<String, Boolean> stallOnce = new ConcurrentHashMap<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    final HttpServer server;

    FileServer(Vertx vertx) {
      server = get(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.actualPort() + path;
    }

    private void handle(HttpServerRequest req) {
      requests.incrementAndGet();
      String range = req.getHeader("Range");
      log.add(req.path() + " range=" + range);
      byte[] body = files.get(req.path());
      if (body == null) {
        req.response().setStatusCode(404).end();
        return;
      }
      if (dropOnce.remove(req.path()) != null) {
        int half = body.length / 2;
        req.response().putHeader("Content-Length", Integer.toString(body.length))
            .write(Buffer.buffer(java.util.Arrays.copyOfRange(body, 0, half)))
            .onComplete(ar -> req.connection().close());
        return;
      }
      if (stallOnce.remove(req.path()) != null) {
        req.response().putHeader("Content-Length", Integer.toString(body.length))
            .write(Buffer.buffer(java.util.Arrays.copyOfRange(body, 0, body.length / 2)));
        return;
      }
      if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
        int from = Integer.parseInt(range.substring(6, range.length() - 1));
        if (from >= body.length) {
          req.response().setStatusCode(416).end();
          return;
        }
        req.response().setStatusCode(206)
            .putHeader("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length)
            .end(Buffer.buffer(java.util.Arrays.copyOfRange(body, from, body.length)));
        return;
      }
      req.response().end(Buffer.buffer(body));
    }

    @Override
    public void close() {
      get(server.close());
    }
  }

  /** A bare repository with one commit tagged v1 (a README and src/app.txt) and a later commit on main. */
  static Path bareGitRepo(Path dir) throws IOException, InterruptedException {
    Path work = dir.resolve("work");
    Files.createDirectories(work.resolve("src"));
    git(dir, "init", "-q", "-b", "main", work.toString());
    Files.writeString(work.resolve("README.md"), "v1\n");
    Files.writeString(work.resolve("src/app.txt"), "app v1\n");
    git(work, "add", ".");
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "v1");
    git(work, "tag", "v1");
    Files.writeString(work.resolve("README.md"), "v2\n");
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "v2");
    Path bare = dir.resolve("repo.git");
    git(dir, "clone", "-q", "--bare", work.toString(), bare.toString());
    return bare;
  }

  static void git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> argv = new java.util.ArrayList<>(List.of("git"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("git " + String.join(" ", args) + " failed: " + out);
    }
  }

  static byte[] zip(Map<String, String> entries) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return bos.toByteArray();
  }

  /** A tar.gz made by the tar CLI from the given files. */
  static byte[] tarGz(Path scratch, Map<String, String> entries) throws IOException, InterruptedException {
    Path src = Files.createTempDirectory(scratch, "tarsrc");
    for (Map.Entry<String, String> e : entries.entrySet()) {
      Path f = src.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
    }
    Path out = scratch.resolve("a" + System.nanoTime() + ".tar.gz");
    Process p = new ProcessBuilder("tar", "-czf", out.toString(), "-C", src.toString(), ".")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IOException("tar failed");
    }
    return Files.readAllBytes(out);
  }
}
