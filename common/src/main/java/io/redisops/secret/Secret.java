package io.redisops.secret;

import java.util.Objects;

/**
 * A password or key. Its {@link #toString()} never shows the value, so a secret that slips into a
 * log line, an exception or a manifest prints as {@code ****}. Read the value only where it is
 * sent.
 */
public final class Secret {
  private String value;
  private final java.util.function.Supplier<String> source;

  private Secret(String value, java.util.function.Supplier<String> source) {
    this.value = value;
    this.source = source;
  }

  public static Secret of(String value) {
    return new Secret(Objects.requireNonNull(value, "value"), null);
  }

  /**
   * A secret read only when first revealed (a password file): commands that never log in, such as
   * {@code list}, must not fail because of a password file they do not need. The supplier's
   * exceptions reach the caller of {@link #reveal()}.
   */
  public static Secret deferred(java.util.function.Supplier<String> source) {
    return new Secret(null, Objects.requireNonNull(source, "source"));
  }

  /** The value itself: call this only at the point where it goes to the server. */
  public synchronized String reveal() {
    if (value == null) {
      value = Objects.requireNonNull(source.get(), "secret");
    }
    return value;
  }

  public boolean isEmpty() {
    return reveal().isEmpty();
  }

  @Override
  public String toString() {
    return "****";
  }

  @Override
  public boolean equals(Object o) {
    // Never reveals a deferred secret: comparing settings must not read (or fail on) a password
    // file.
    return o instanceof Secret s
        && ((source != null && source == s.source) || (value != null && value.equals(s.value)));
  }

  @Override
  public int hashCode() {
    return 1; // constant: a deferred secret's value is unknown until revealed
  }
}
