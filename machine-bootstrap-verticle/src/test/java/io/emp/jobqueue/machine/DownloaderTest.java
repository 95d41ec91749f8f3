package io.emp.jobqueue.machine;

import static io.emp.jobqueue.machine.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads from real servers that close the connection after the response: Python's
 * {@code http.server} (HTTP/1.0) and an asyncio HTTP/1.1 server (which closes because it honours
 * {@code Connection: close}). Each download must succeed on its first attempt, every time.
 */
class DownloaderTest {
  static final int SIZE = 3 * 1024 * 1024;
  static final int DOWNLOADS_PER_SERVER = 30;

  static Vertx vertx;
  static final List<Process> servers = new ArrayList<>();
  @TempDir
  static Path dir;
  static String sha;

  @BeforeAll
  static void up() throws Exception {
    vertx = Vertx.vertx();
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.write(www.resolve("model.bin"), Fixtures.randomBytes(SIZE, 9));
    sha = Downloader.sha256(www.resolve("model.bin"));
  }

  @AfterAll
  static void down() throws Exception {
    for (Process p : servers) {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    get(vertx.close());
  }

  @Test
  void pythonHttpServerDownloadsSucceedEveryTimeOnTheFirstAttempt() throws Exception {
    int port = freePort();
    start(List.of("python3", "-m", "http.server", "--bind", "127.0.0.1", Integer.toString(port)), port);
    assertEveryDownloadSucceedsAtOnce(port, "py");
  }

  @Test
  void asyncioHttp11ServerDownloadsSucceedEveryTimeOnTheFirstAttempt() throws Exception {
    int port = freePort();
    Path script = dir.resolve("http11_server.py");
    try (InputStream in = DownloaderTest.class.getResourceAsStream("http11_server.py")) {
      Files.write(script, in.readAllBytes());
    }
    start(List.of("python3", script.toString(), Integer.toString(port), dir.resolve("www").toString()), port);
    assertEveryDownloadSucceedsAtOnce(port, "asyncio");
  }

  @Test
  void aStalledTransferTimesOutAndTheNextAttemptResumesIt() {
    try (Fixtures.FileServer server = new Fixtures.FileServer(vertx)) {
      byte[] body = Fixtures.randomBytes(400_000, 4);
      server.files.put("/stall.bin", body);
      server.files.put("/warm.bin", body);
      server.stallOnce.put("/stall.bin", true);
      Downloader d = new Downloader(vertx, 3, 10, 1_500);
      // a first download loads the HTTP client, so the stall below is all the idle time measures
      get(d.download(server.url("/warm.bin"), dir.resolve("stall/warm.bin"), Fixtures.sha256(body)));

      Downloader.Result r = get(d.download(server.url("/stall.bin"), dir.resolve("stall/stall.bin"),
          Fixtures.sha256(body)));

      assertThat(r.attempts()).isEqualTo(2);
      assertThat(r.resumed()).isTrue();
      assertThat(server.log.stream().filter(l -> l.startsWith("/stall.bin")))
          .containsExactly("/stall.bin range=null", "/stall.bin range=bytes=" + body.length / 2 + "-");
    }
  }

  private void assertEveryDownloadSucceedsAtOnce(int port, String name) throws IOException {
    // one attempt each: a download that needed a retry is the bug this test guards against
    Downloader d = new Downloader(vertx, 1, 10);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < DOWNLOADS_PER_SERVER; i++) {
      Path dest = dir.resolve(name + "/" + i + "/model.bin");
      try {
        Downloader.Result r = get(d.download("http://127.0.0.1:" + port + "/model.bin", dest, sha));
        assertThat(r.sizeBytes()).isEqualTo(SIZE);
        assertThat(r.attempts()).isEqualTo(1);
      } catch (RuntimeException e) {
        failures.add("download " + i + ": " + e.getMessage());
      }
      Files.deleteIfExists(dest);
    }
    assertThat(failures).isEmpty();
  }

  private static void start(List<String> command, int port) throws IOException {
    Process p = new ProcessBuilder(command).directory(dir.resolve("www").toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("server-" + port + ".log").toFile()).start();
    servers.add(p);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("server exited: " + Files.readString(dir.resolve("server-" + port + ".log")));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
