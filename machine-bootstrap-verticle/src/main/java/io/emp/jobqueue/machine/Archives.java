package io.emp.jobqueue.machine;

import io.emp.jobqueue.machine.InstallException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Extracts zip (java.util.zip) and tar.gz (the tar CLI) archives. Blocking: run on a worker thread. */
final class Archives {
  static final long TAR_TIMEOUT_MS = 600_000;

  private Archives() {
  }

  /** Extracts into {@code target} (replacing what was there) and returns the number of regular files. */
  static int extract(Path archive, Path target) throws IOException {
    byte[] magic = new byte[4];
    try (InputStream in = Files.newInputStream(archive)) {
      if (in.readNBytes(magic, 0, 4) < 2) {
        throw new InstallException(Kind.EXTRACT_FAILED, archive.getFileName() + " is too short to be an archive");
      }
    }
    GitInstaller.deleteTree(target);
    Files.createDirectories(target);
    if (magic[0] == 'P' && magic[1] == 'K') {
      unzip(archive, target);
    } else if ((magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      Cli.Out out = Cli.run(List.of("tar", "-xzf", archive.toString(), "-C", target.toString(),
          "--no-same-owner"), null, Map.of(), TAR_TIMEOUT_MS);
      if (out.exit() != 0) {
        throw new InstallException(Kind.EXTRACT_FAILED, "tar failed on " + archive.getFileName() + ": "
            + out.output());
      }
    } else {
      throw new InstallException(Kind.EXTRACT_FAILED, archive.getFileName() + " is neither zip nor tar.gz");
    }
    return GitInstaller.countFiles(target);
  }

  private static void unzip(Path archive, Path target) throws IOException {
    Path root = target.toAbsolutePath().normalize();
    try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(archive))) {
      ZipEntry e;
      while ((e = zin.getNextEntry()) != null) {
        Path out = root.resolve(e.getName()).normalize();
        // An entry like ../../etc/x must not escape the target (zip slip).
        if (!out.startsWith(root)) {
          throw new InstallException(Kind.EXTRACT_FAILED, "zip entry escapes the target: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(zin, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
