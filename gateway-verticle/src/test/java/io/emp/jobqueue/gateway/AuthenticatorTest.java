package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key parsing, roles, the fail-closed default and that no key material shows in a printed config. */
class AuthenticatorTest {
  static final String A = "alpha-key-0123456789";
  static final String ADMIN = "admin-key-0123456789";

  @Test
  void keysFromEnvAndConfigResolveToTheirPrincipals() {
    GatewayConfig cfg = GatewayConfig.from(new JsonObject().put("api_keys", new JsonArray()
            .add(new JsonObject().put("key", ADMIN).put("customer_id", "*").put("role", "admin"))),
        Map.of(GatewayConfig.ENV_API_KEYS, A + ":custA:client"));
    Authenticator auth = new Authenticator(cfg);
    assertThat(auth.authenticate(A)).contains(new Principal("custA", false));
    assertThat(auth.authenticate(ADMIN)).contains(new Principal("*", true));
    assertThat(auth.authenticate(A + "x")).isEmpty();
    assertThat(auth.authenticate(A.substring(0, A.length() - 1))).isEmpty();
    assertThat(auth.authenticate(null)).isEmpty();
    assertThat(cfg.toString()).doesNotContain(A).doesNotContain(ADMIN);
    assertThat(cfg.apiKeys().toString()).doesNotContain(A).doesNotContain(ADMIN);
  }

  @Test
  void noKeysMeansNobodyGetsInUnlessAuthIsExplicitlyDisabled() {
    Authenticator closed = new Authenticator(GatewayConfig.from(new JsonObject(), Map.of()));
    assertThat(closed.hasKeys()).isFalse();
    assertThat(closed.authenticate("anything-at-all-1234")).isEmpty();
    Authenticator open = new Authenticator(GatewayConfig.from(
        new JsonObject().put("auth", new JsonObject().put("disabled", true)), Map.of()));
    assertThat(open.authenticate(null)).contains(Principal.LOCAL_ADMIN);
  }

  @Test
  void invalidKeyEntriesAreRejectedAtStartup() {
    assertThatThrownBy(() -> ApiKey.parseList("short:custA:client")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiKey.parseList(A + ":*:client")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiKey.parseList(A + ":custA:root")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiKey.parseList(A + ":custA")).isInstanceOf(IllegalArgumentException.class);
    assertThat(ApiKey.parseList(" ")).isEmpty();
    // A client's customer id prefixes its stored job ids: "cust~a" would make ids ambiguous.
    assertThatThrownBy(() -> ApiKey.of(A, "cust~a", "client")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiKey.of(A, "acme corp", "client")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientsSeeOnlyTheirCustomerAdminsSeeAll() {
    Principal a = new Principal("custA", false);
    assertThat(a.canAccess("custA")).isTrue();
    assertThat(a.canAccess("custB")).isFalse();
    assertThat(a.canAccess(null)).isFalse();
    assertThat(new Principal("*", true).canAccess("custB")).isTrue();
  }
}
