package io.emp.jobqueue.machine;

import java.util.Locale;
import java.util.Set;

/**
 * One component of a profile, installed under the machine's install directory at {@code target}.
 *
 * @param ref git ref (branch, tag or commit) for git_repo
 * @param sha256 expected SHA-256 of the downloaded file (hex); required for downloads so a cache hit can be trusted
 * @param version a label for telemetry (component.version); defaults to the ref or the checksum prefix
 */
public record ComponentSpec(String name, Type type, String url, String ref, String sha256, String target,
                            boolean required, String version) {
  static final Set<String> FIELDS = Set.of("name", "type", "url", "ref", "sha256", "target", "required", "version");

  /** Component kinds. */
  public enum Type {
    GIT_REPO, MODEL_DOWNLOAD, ARCHIVE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Type parse(String s) {
      for (Type t : values()) {
        if (t.wire().equals(s)) {
          return t;
        }
      }
      return null;
    }
  }

  static ComponentSpec read(ProfileReader r) {
    r.rejectUnknown(FIELDS);
    String name = r.string("name", true, "?");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}")) {
      r.problem("name", "format", "must be 1-100 of [A-Za-z0-9_.-]");
    }
    String typeText = r.string("type", true, null);
    Type type = typeText == null ? null : Type.parse(typeText);
    if (typeText != null && type == null) {
      r.problem("type", "enum", "must be git_repo, model_download or archive");
    }
    String url = r.string("url", true, null);
    String ref = r.string("ref", false, null);
    String sha = r.string("sha256", false, null);
    if (type == Type.GIT_REPO && ref == null) {
      r.problem("ref", "required", "is required for git_repo (pin a tag or commit)");
    }
    if (type != null && type != Type.GIT_REPO) {
      if (sha == null) {
        r.problem("sha256", "required", "is required for " + type.wire());
      } else if (!sha.matches("[0-9a-fA-F]{64}")) {
        r.problem("sha256", "format", "must be 64 hex digits");
      }
    }
    String target = r.string("target", false, name);
    if (target.startsWith("/") || target.contains("..")) {
      r.problem("target", "format", "must be a relative path inside the install directory");
    }
    String version = r.string("version", false, ref != null ? ref : sha != null ? sha.substring(0, Math.min(12,
        sha.length())) : null);
    return new ComponentSpec(name, type, url, ref, sha == null ? null : sha.toLowerCase(Locale.ROOT), target,
        r.bool("required", true), version);
  }
}
