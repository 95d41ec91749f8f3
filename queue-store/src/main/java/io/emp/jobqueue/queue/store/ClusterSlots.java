package io.emp.jobqueue.queue.store;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's rule for which of the 16,384 slots a key lives in: CRC16 (XMODEM) of the key's hash
 * tag, or of the whole key without one. Written here because the client library keeps its copy in an
 * internal package; the shard layout ({@link RedisKeys#shards}) needs it to spread shards over the slot
 * range. ClusterSlotsTest checks it against {@code CLUSTER KEYSLOT} of a real cluster.
 */
final class ClusterSlots {
  static final int SLOTS = 16_384;

  private ClusterSlots() {
  }

  static int slot(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        key = key.substring(open + 1, close);
      }
    }
    return crc16(key.getBytes(StandardCharsets.UTF_8)) % SLOTS;
  }

  /** CRC16-CCITT, XMODEM variant: polynomial 0x1021, initial value 0. */
  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xffff;
  }
}
