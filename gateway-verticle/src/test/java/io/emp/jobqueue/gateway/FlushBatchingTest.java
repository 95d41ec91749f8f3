package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes flushed one by one within an event-loop task reach the transport as one flush after the
 * task, or every {@link FlushBatching#writesPerFlush} writes. A real (in-JVM) channel and event loop:
 * EmbeddedChannel runs pending tasks inside every write, which would hide the batching.
 */
class FlushBatchingTest {
  private EventLoopGroup group;
  private Channel server;
  private Channel ch;
  /** Flushes that reach the transport, counted between the batching handler and the channel's head. */
  private final AtomicInteger flushes = new AtomicInteger();

  @BeforeEach
  void connect() throws Exception {
    group = new DefaultEventLoopGroup(1);
    LocalAddress address = new LocalAddress("flush-batching-" + UUID.randomUUID());
    server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
        .childHandler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
          }
        }).bind(address).sync().channel();
    ch = new Bootstrap().group(group).channel(LocalChannel.class).handler(new ChannelInboundHandlerAdapter())
        .connect(address).sync().channel();
  }

  @AfterEach
  void close() throws Exception {
    ch.close().sync();
    server.close().sync();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
  }

  private void install(int maxQueued) {
    FlushBatching.install(ch, maxQueued);
    ch.pipeline().addFirst("count-flushes", new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        flushes.incrementAndGet();
        ctx.flush();
      }
    });
  }

  /** Writes and flushes each message within one event-loop task; returns the flushes seen during it. */
  private int writeInOneTask(int messages, List<ChannelFuture> writes) throws Exception {
    return ch.eventLoop().submit(() -> {
      for (int i = 0; i < messages; i++) {
        writes.add(ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) i})));
      }
      return flushes.get();
    }).get();
  }

  @Test
  void flushesOfOneTaskBecomeOneFlushAfterIt() throws Exception {
    install(1_000);
    List<ChannelFuture> writes = new ArrayList<>();
    assertThat(writeInOneTask(10, writes)).as("flushes during the task").isZero();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> writes.stream().allMatch(ChannelFuture::isSuccess));
    assertThat(flushes.get()).isEqualTo(1);
  }

  @Test
  void aLongTaskStillFlushesEveryQuarterOfTheBound() throws Exception {
    int maxQueued = 40;
    install(maxQueued);
    int perFlush = FlushBatching.writesPerFlush(maxQueued);
    assertThat(perFlush).isEqualTo(10);
    List<ChannelFuture> writes = new ArrayList<>();
    assertThat(writeInOneTask(3 * perFlush + 1, writes)).as("flushes during the task").isEqualTo(3);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> writes.stream().allMatch(ChannelFuture::isSuccess));
    assertThat(flushes.get()).isEqualTo(4);
  }

  @Test
  void tinyBoundsFlushEveryWriteAndLargeOnesAreCapped() {
    assertThat(FlushBatching.writesPerFlush(1)).isEqualTo(1);
    assertThat(FlushBatching.writesPerFlush(8)).isEqualTo(2);
    assertThat(FlushBatching.writesPerFlush(200_000)).isEqualTo(FlushBatching.MAX_WRITES_PER_FLUSH);
  }

  @Test
  void installingTwiceAddsOneHandler() {
    FlushBatching.install(ch, 1_000);
    FlushBatching.install(ch, 1_000);
    assertThat(ch.pipeline().names().stream().filter(FlushBatching.HANDLER::equals)).hasSize(1);
  }
}
