package io.emp.jobqueue.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A plain TCP client for talking broken or slow HTTP to a server (half-open requests, trickled
 * headers, oversized request lines): what it received, and whether the server closed it.
 */
public final class RawConnection {
  private final Vertx vertx;
  private final NetSocket socket;
  private final Buffer received = Buffer.buffer();
  private volatile boolean closed;
  private long trickle = -1;

  private RawConnection(Vertx vertx, NetSocket socket) {
    this.vertx = vertx;
    this.socket = socket;
    socket.handler(b -> {
      synchronized (received) {
        received.appendBuffer(b);
      }
    });
    socket.closeHandler(v -> {
      closed = true;
      stopTrickle();
    });
    socket.exceptionHandler(err -> { /* a reset shows up as the close */ });
  }

  public static Future<RawConnection> open(Vertx vertx, int port) {
    return vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000)).connect(port, "127.0.0.1")
        .map(s -> new RawConnection(vertx, s));
  }

  public static RawConnection connect(Vertx vertx, int port) {
    return await(open(vertx, port));
  }

  public RawConnection send(String text) {
    await(socket.write(Buffer.buffer(text.getBytes(StandardCharsets.ISO_8859_1))));
    return this;
  }

  /**
   * Writes without waiting; a write the server's close got ahead of counts as done (the server
   * closing a connection that never finished its request is what such tests look for).
   */
  public Future<RawConnection> write(String text) {
    return socket.write(Buffer.buffer(text.getBytes(StandardCharsets.ISO_8859_1))).map(this)
        .recover(err -> closed ? Future.succeededFuture(this) : Future.failedFuture(err));
  }

  public RawConnection send(Buffer bytes) {
    await(socket.write(bytes));
    return this;
  }

  /** Writes {@code text} one byte every {@code everyMs} while the connection is open, forever (never completing it). */
  public RawConnection trickle(String text, long everyMs) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    int[] next = {0};
    trickle = vertx.setPeriodic(everyMs, t -> {
      if (!closed) {
        socket.write(Buffer.buffer(new byte[] {bytes[next[0]++ % bytes.length]}));
      }
    });
    return this;
  }

  private void stopTrickle() {
    if (trickle >= 0) {
      vertx.cancelTimer(trickle);
    }
  }

  public boolean closed() {
    return closed;
  }

  public String text() {
    synchronized (received) {
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }

  public RawConnection awaitClosed(Duration atMost) {
    Awaitility.await().atMost(atMost).until(() -> closed);
    return this;
  }

  public RawConnection awaitText(String part, Duration atMost) {
    Awaitility.await().atMost(atMost).until(() -> text().contains(part));
    return this;
  }

  /** The JSON body of the (first) HTTP answer received. */
  public String body() {
    String t = text();
    int i = t.indexOf("\r\n\r\n");
    return i < 0 ? "" : t.substring(i + 4);
  }

  public void close() {
    stopTrickle();
    if (!closed) {
      socket.close();
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
