package io.emp.jobqueue.gateway;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Resolves a presented token to a {@link Principal}. Only SHA-256 digests of the keys are kept,
 * and every configured digest is compared with {@link MessageDigest#isEqual} (no early exit), so
 * the time taken does not tell which key or prefix matched.
 */
public final class Authenticator {
  /** Longer tokens are refused unhashed, so the one digest per call stays tiny (it runs on the event loop). */
  static final int MAX_TOKEN_LENGTH = 512;

  private record Entry(byte[] digest, Principal principal) {
  }

  private final List<Entry> entries;
  private final boolean disabled;

  public Authenticator(GatewayConfig cfg) {
    this.entries = cfg.apiKeys().stream()
        .map(k -> new Entry(sha256(k.key()), new Principal(k.customerId(), k.role() == ApiKey.Role.ADMIN)))
        .toList();
    this.disabled = cfg.authDisabled();
  }

  public boolean disabled() {
    return disabled;
  }

  public boolean hasKeys() {
    return !entries.isEmpty();
  }

  public Optional<Principal> authenticate(String token) {
    if (disabled) {
      return Optional.of(Principal.LOCAL_ADMIN);
    }
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      return Optional.empty();
    }
    byte[] presented = sha256(token);
    Principal found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest(), presented) && found == null) {
        found = e.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  /** The token of an HTTP request: {@code Authorization: Bearer}, then {@code X-API-Key}; null when none. */
  public static String token(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    return req.getHeader("X-API-Key");
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
