package io.emp.jobqueue.core.model;

import java.util.regex.Pattern;

/**
 * The grammar of job and workflow ids. Clients choose <em>names</em> ({@code [A-Za-z0-9_.-]+}); a job
 * of a customer is stored under {@code <customer>~<name>}, so two customers choosing the same name
 * get two jobs (docs/decisions.md, "Customer-scoped job ids"). Customer ids are names too and '~'
 * is not in the name alphabet, so the first '~' splits a stored id unambiguously.
 */
public final class JobIds {
  public static final char SEPARATOR = '~';
  public static final int MAX_JOB_NAME = 128;
  public static final int MAX_WORKFLOW_NAME = 200;
  public static final int MAX_CUSTOMER_ID = 200;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

  private JobIds() {
  }

  /** A client-chosen id, a customer id: 1..maxLen letters, digits, '-', '_' or '.'. */
  public static boolean isName(String s, int maxLen) {
    return s != null && !s.isEmpty() && s.length() <= maxLen && NAME.matcher(s).matches();
  }

  /** A stored id: a name, or {@code <customer>~<name>}. */
  public static boolean isStored(String s, int maxName) {
    if (s == null) {
      return false;
    }
    int sep = s.indexOf(SEPARATOR);
    if (sep < 0) {
      return isName(s, maxName);
    }
    return isName(s.substring(0, sep), MAX_CUSTOMER_ID) && isName(s.substring(sep + 1), maxName);
  }

  /** The longest stored id whose name part is at most {@code maxName} long. */
  public static int maxStoredLength(int maxName) {
    return MAX_CUSTOMER_ID + 1 + maxName;
  }

  /** The stored id of {@code name} for {@code customer}. */
  public static String scoped(String customer, String name) {
    return customer + SEPARATOR + name;
  }

  /** The name part when {@code stored} belongs to {@code customer}; null when it does not. */
  public static String nameIn(String customer, String stored) {
    if (customer == null || stored == null || stored.length() <= customer.length() + 1
        || !stored.startsWith(customer) || stored.charAt(customer.length()) != SEPARATOR) {
      return null;
    }
    return stored.substring(customer.length() + 1);
  }
}
