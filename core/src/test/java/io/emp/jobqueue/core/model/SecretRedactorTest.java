package io.emp.jobqueue.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {
  static final String M = SecretRedactor.MASK;

  @Test
  void configuredSecretsAreMaskedWhereverTheyOccur() {
    SecretRedactor r = SecretRedactor.of(List.of("my-company-token-42", "my-company-token-42-long"));
    assertThat(r.redact("rejected my-company-token-42-long and my-company-token-42."))
        .isEqualTo("rejected " + M + " and " + M + ".");
  }

  @Test
  void credentialShapedTextIsMaskedWithoutBeingConfigured() {
    SecretRedactor r = SecretRedactor.PATTERNS;
    assertThat(r.redact("Incorrect API key provided: sk-proj-AbC123_xyz-987."))
        .isEqualTo("Incorrect API key provided: " + M + ".");
    assertThat(r.redact("Incorrect API key provided: sk-...wxyz")).doesNotContain("wxyz");
    assertThat(r.redact("sent Authorization: Bearer abc.def-123_456")).isEqualTo("sent Authorization: Bearer " + M);
    assertThat(r.redact("GET https://user:hunter22@models.example.com/x failed"))
        .isEqualTo("GET https://" + M + "@models.example.com/x failed");
    assertThat(r.redact("{\"api_key\": \"abcd1234\", \"password=swordfish\"}"))
        .doesNotContain("abcd1234").doesNotContain("swordfish");
  }

  @Test
  void ordinaryErrorTextIsLeftAlone() {
    SecretRedactor r = SecretRedactor.of(Arrays.asList(null, "", "abc"));
    String msg = "Rate limit reached for gpt-4o on tokens per min (TPM). Please try again in 1s. skip-this";
    assertThat(r.redact(msg)).isEqualTo(msg);
    assertThat(r.redact((String) null)).isNull();
  }

  @Test
  void aFailureKeepsItsKindAndTypeWithItsTextsRedacted() {
    Failure f = new Failure(Failure.Kind.PERMANENT, "auth_error", "key sk-abcdefgh", "bad key sk-abcdefgh",
        "invalid_api_key");
    Failure out = SecretRedactor.PATTERNS.redact(f);
    assertThat(out.kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(out.type()).isEqualTo("auth_error");
    assertThat(out.code()).isEqualTo("invalid_api_key");
    assertThat(out.message()).isEqualTo("bad key " + M);
    assertThat(out.reason()).isEqualTo("key " + M);
    Failure clean = Failure.retryable("timeout", "slow");
    assertThat(SecretRedactor.PATTERNS.redact(clean)).isSameAs(clean);
  }
}
