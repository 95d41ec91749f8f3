package io.emp.jobqueue.machine;

import io.emp.jobqueue.machine.InstallException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Checks out a git repository at a ref with the git CLI. Blocking: run on a worker thread. */
final class GitInstaller {
  static final long DEFAULT_TIMEOUT_MS = 600_000;
  /** Never wait for credentials on a headless machine. */
  private static final Map<String, String> ENV = Map.of("GIT_TERMINAL_PROMPT", "0");

  /** What the checkout found or did. */
  record Result(boolean cacheHit, String commit, int filesPresent) {
  }

  private GitInstaller() {
  }

  static Result install(String url, String ref, Path target) throws IOException {
    if (Files.isDirectory(target.resolve(".git"))) {
      Cli.Out head = git(target, "rev-parse", "HEAD");
      Cli.Out want = git(target, "rev-parse", "--verify", "--quiet", ref + "^{commit}");
      // Only a clean tree at the ref counts as installed.
      Cli.Out dirty = git(target, "status", "--porcelain");
      if (head.exit() == 0 && want.exit() == 0 && head.output().equals(want.output()) && dirty.exit() == 0
          && dirty.output().isEmpty()) {
        return new Result(true, head.output(), countFiles(target));
      }
    }
    deleteTree(target);
    Files.createDirectories(target.getParent());
    check(Cli.run(List.of("git", "clone", "--quiet", "--no-checkout", url, target.toString()), null, ENV,
        DEFAULT_TIMEOUT_MS), "clone " + url);
    Cli.Out co = git(target, "checkout", "--quiet", "--detach", ref);
    if (co.exit() != 0) {
      // A branch other than the default exists only as origin/<ref> after a clone.
      co = git(target, "checkout", "--quiet", "--detach", "origin/" + ref);
    }
    check(co, "checkout " + ref);
    Cli.Out head = check(git(target, "rev-parse", "HEAD"), "rev-parse");
    return new Result(false, head.output(), countFiles(target));
  }

  private static Cli.Out git(Path dir, String... args) throws IOException {
    List<String> argv = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    return Cli.run(argv, null, ENV, DEFAULT_TIMEOUT_MS);
  }

  private static Cli.Out check(Cli.Out out, String what) {
    if (out.exit() != 0) {
      // git may echo the remote URL, credentials included.
      throw new InstallException(Kind.GIT_FAILED, ComponentInstaller.redact("git " + what + " failed (exit "
          + out.exit() + "): " + out.output()));
    }
    return out;
  }

  static int countFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return (int) s.filter(p -> !p.toString().contains("/.git/") && Files.isRegularFile(p)).count();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
