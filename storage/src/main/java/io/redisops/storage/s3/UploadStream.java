package io.redisops.storage.s3;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What the two upload streams ({@link MultipartUploadStream}, {@link SinglePutStream}) share: a
 * single byte goes as a one-byte array, and no byte is taken once the upload ended.
 */
abstract class UploadStream extends OutputStream {
  final S3Repository repo;
  final String key;

  /** Set by {@link #end()}: later writes fail. */
  private boolean ended;

  UploadStream(S3Repository repo, String key) {
    this.repo = repo;
    this.key = key;
  }

  @Override
  public final void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public final void write(byte[] b, int off, int len) throws IOException {
    if (ended) {
      throw new IOException("upload of " + repo.uri(key) + " already ended");
    }
    append(b, off, len);
  }

  /** Takes the bytes of a write to an upload that has not ended. */
  abstract void append(byte[] b, int off, int len) throws IOException;

  /** The upload completes or is given up: every later write fails. */
  final void end() {
    ended = true;
  }
}
