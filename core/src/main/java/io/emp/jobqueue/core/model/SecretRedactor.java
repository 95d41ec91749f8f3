package io.emp.jobqueue.core.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in text that came from outside (a provider's error message, an exception's
 * message or stack trace) before it is stored in a job, emitted in an event or put on a span.
 * Two layers: the configured secrets, replaced wherever they occur verbatim, and patterns that look
 * like credentials whatever their value ({@code Bearer <token>}, {@code sk-...} API keys, the user
 * info of a URL). Providers echo keys back ("Incorrect API key provided: sk-..."), so every
 * connector failure passes through here once, in the worker.
 */
public final class SecretRedactor {
  public static final String MASK = "[REDACTED]";
  /** Secrets shorter than this are not matched verbatim: they would mask ordinary words. */
  public static final int MIN_SECRET_LENGTH = 6;

  /** The patterns alone, for text from a backend that has no configured credential. */
  public static final SecretRedactor PATTERNS = new SecretRedactor(List.of());

  private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)\\b(bearer)(\\s+)[A-Za-z0-9._~+/=\\-]{6,}");
  /** OpenAI-style keys (sk-..., sk-proj-...), also as providers print them half-masked (sk-...abcd). */
  private static final Pattern SK_KEY = Pattern.compile("\\bsk-(?:\\.{3})?[A-Za-z0-9_\\-*]{4,}");
  private static final Pattern URL_USERINFO = Pattern.compile("(?<=://)[^/@\\s'\"]+@");
  private static final Pattern KEY_PARAM = Pattern.compile(
      "(?i)\\b(api[_-]?key|access[_-]?token|password|secret)(\"?\\s*[:=]\\s*\"?)[^\\s\"'&,;]{4,}");

  private final List<String> secrets;

  private SecretRedactor(List<String> secrets) {
    this.secrets = secrets;
  }

  /** Redacts these secrets (null, blank and very short ones are ignored) as well as the patterns. */
  public static SecretRedactor of(Collection<String> secrets) {
    List<String> s = new ArrayList<>();
    for (String x : secrets) {
      if (x != null && x.strip().length() >= MIN_SECRET_LENGTH && !s.contains(x.strip())) {
        s.add(x.strip());
      }
    }
    // longest first, so a secret that contains another is masked whole
    s.sort(Comparator.comparingInt(String::length).reversed());
    return s.isEmpty() ? PATTERNS : new SecretRedactor(List.copyOf(s));
  }

  /** A redactor masking this one's secrets and {@code more}. */
  public SecretRedactor with(Collection<String> more) {
    List<String> all = new ArrayList<>(secrets);
    all.addAll(more);
    return of(all);
  }

  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, MASK);
    }
    out = AUTH_SCHEME.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
    out = SK_KEY.matcher(out).replaceAll(MASK);
    out = URL_USERINFO.matcher(out).replaceAll(Matcher.quoteReplacement(MASK + "@"));
    out = KEY_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
    return out;
  }

  /** The failure with the texts a provider may have supplied (message, reason, code) redacted. */
  public Failure redact(Failure f) {
    String message = redact(f.message());
    String reason = redact(f.reason());
    String code = redact(f.code());
    if (Objects.equals(message, f.message()) && Objects.equals(reason, f.reason())
        && Objects.equals(code, f.code())) {
      return f;
    }
    return new Failure(f.kind(), f.type(), reason, message, code);
  }
}
