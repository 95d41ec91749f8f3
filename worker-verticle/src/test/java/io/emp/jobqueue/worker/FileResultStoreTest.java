package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.worker.spi.ResultStore.StoredResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileResultStoreTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static <T> T get(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void writesTheFileAndReportsUriSizeAndSha256(@TempDir Path dir) throws Exception {
    FileResultStore rs = new FileResultStore(vertx, dir);
    byte[] bytes = "hello image".getBytes();
    StoredResult r = get(rs.store("job-1", "image_0.png", Buffer.buffer(bytes), "image/png"));
    Path file = Path.of(URI.create(r.uri()));
    assertThat(r.uri()).startsWith("file:");
    assertThat(file).isEqualTo(dir.toAbsolutePath().resolve("job-1").resolve("image_0.png"));
    assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    assertThat(r.bytes()).isEqualTo(bytes.length);
    assertThat(r.contentType()).isEqualTo("image/png");
    assertThat(r.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    // a retry overwrites
    StoredResult again = get(rs.store("job-1", "image_0.png", Buffer.buffer("v2"), "image/png"));
    assertThat(Files.readString(Path.of(URI.create(again.uri())))).isEqualTo("v2");
  }

  @Test
  void refusesNamesThatLeaveTheDirectory(@TempDir Path dir) {
    FileResultStore rs = new FileResultStore(vertx, dir);
    assertThatThrownBy(() -> get(rs.store("job-1", "../evil", Buffer.buffer("x"), "text/plain")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> get(rs.store("../job", "a.txt", Buffer.buffer("x"), "text/plain")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dir.getParent().resolve("evil")).doesNotExist();
    assertThatThrownBy(() -> get(rs.store("..~x", "a.txt", Buffer.buffer("x"), "text/plain")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void storesOutputsOfACustomersJob(@TempDir Path dir) throws Exception {
    // A customer's job id is "<customer>~<name>" (docs/api.md "Job ids").
    StoredResult r = get(new FileResultStore(vertx, dir).store("custA~order-1", "out.txt", Buffer.buffer("x"),
        "text/plain"));
    assertThat(Path.of(URI.create(r.uri()))).isEqualTo(dir.toAbsolutePath().resolve("custA~order-1")
        .resolve("out.txt"));
  }
}
