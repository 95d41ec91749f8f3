package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobIds;
import java.util.ArrayList;
import java.util.List;

/**
 * One configured API key. {@code customerId} "*" is only valid for admins. {@link #toString()}
 * hides the key so a logged config never leaks it.
 */
public record ApiKey(String key, String customerId, Role role) {
  public enum Role { CLIENT, ADMIN }

  public static final int MIN_KEY_LENGTH = 16;

  public ApiKey {
    if (key == null || key.length() < MIN_KEY_LENGTH || key.contains(",") || key.contains(":")) {
      throw new IllegalArgumentException("api key must be at least " + MIN_KEY_LENGTH
          + " characters without ',' or ':'");
    }
    if (role == null || customerId == null || customerId.isBlank()) {
      throw new IllegalArgumentException("api key needs a customer id and a role");
    }
    if (role == Role.CLIENT && "*".equals(customerId)) {
      throw new IllegalArgumentException("a client api key must name its customer ('*' is for admins)");
    }
    if (role == Role.CLIENT && !JobIds.isName(customerId, JobIds.MAX_CUSTOMER_ID)) {
      // The customer id prefixes the client's stored job ids (PublicIds): it must be a plain name.
      throw new IllegalArgumentException("a client api key's customer id must be 1-" + JobIds.MAX_CUSTOMER_ID
          + " of [A-Za-z0-9_.-]");
    }
  }

  public static ApiKey of(String key, String customer, String role) {
    Role r = switch (role == null ? "" : role.trim().toLowerCase()) {
      case "client" -> Role.CLIENT;
      case "admin" -> Role.ADMIN;
      default -> throw new IllegalArgumentException("api key role must be client or admin");
    };
    return new ApiKey(key == null ? null : key.trim(), customer == null ? null : customer.trim(), r);
  }

  /** Parses {@code key:customer:role,...}; blank input gives no keys. */
  public static List<ApiKey> parseList(String spec) {
    List<ApiKey> out = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String entry : spec.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] p = entry.trim().split(":");
      if (p.length != 3) {
        throw new IllegalArgumentException("api key entries are key:customer:role (entry " + (out.size() + 1) + ")");
      }
      out.add(of(p[0], p[1], p[2]));
    }
    return out;
  }

  @Override
  public String toString() {
    return "ApiKey[customer=" + customerId + ", role=" + role + "]";
  }
}
