package io.redisops.backup.rdb;

import java.io.IOException;

/**
 * The stream is not a readable RDB snapshot: wrong magic, unsupported version, truncation, an
 * unknown opcode that cannot be vouched for, or bytes after the checksum trailer. The message is
 * meant for an operator. A checksum mismatch is not reported this way but through {@link
 * RdbAnalysis#crcOk()}.
 */
public class RdbFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public RdbFormatException(String message) {
    super(message);
  }
}
