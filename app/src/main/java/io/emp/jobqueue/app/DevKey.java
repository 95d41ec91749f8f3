package io.emp.jobqueue.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The embedded default's API key: when no key is configured anywhere, an admin key is generated
 * once into data/dev-api-key (mode 600) and reused on later starts. It is never printed: the
 * banner's curl reads it from the file.
 */
final class DevKey {
  private DevKey() {
  }

  static Path file(Path dataDir) {
    return dataDir.resolve("dev-api-key");
  }

  static String loadOrCreate(Path dataDir) throws IOException {
    Path f = file(dataDir);
    if (Files.exists(f)) {
      return Files.readString(f).trim();
    }
    Files.createDirectories(dataDir);
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String key = "dev_" + HexFormat.of().formatHex(bytes);
    Files.writeString(f, key + "\n");
    try {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // non-POSIX file system: the key stays readable only as the directory allows
    }
    return key;
  }
}
