package io.redisops.secret;

import java.util.Objects;

/**
 * A password or key. Its {@link #toString()} never shows the value, so a secret that slips into a log line,
 * an exception or a manifest prints as {@code ****}. Read the value only where it is sent.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The value itself: call this only at the point where it goes to the server. */
  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return "****";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
