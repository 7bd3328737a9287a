package io.redisops.redis;

/**
 * An error reply from Redis ({@code -ERR ...}, {@code -NOPERM ...}, {@code -LOADING ...}): its
 * message is the reply's line without the {@code -}. {@link RedisSession#translate} turns it into
 * the CLI's one-line error.
 */
public final class RedisErrorReply extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RedisErrorReply(String line) {
    super(line, null, false, false);
  }

  /** The error's code: its first word ({@code ERR}, {@code NOPERM}, {@code LOADING}, ...). */
  public String code() {
    String m = getMessage();
    int sp = m.indexOf(' ');
    return sp < 0 ? m : m.substring(0, sp);
  }
}
