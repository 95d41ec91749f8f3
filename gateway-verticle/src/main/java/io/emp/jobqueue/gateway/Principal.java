package io.emp.jobqueue.gateway;

/** Who is calling: a client bound to one customer, or an admin who sees every customer. */
public record Principal(String customerId, boolean admin) {
  public static final Principal LOCAL_ADMIN = new Principal("*", true);

  /** Whether this caller may see a job owned by {@code jobCustomer} (null: a job with no customer). */
  public boolean canAccess(String jobCustomer) {
    return admin || customerId.equals(jobCustomer);
  }
}
