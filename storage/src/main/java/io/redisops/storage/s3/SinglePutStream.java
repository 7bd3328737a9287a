package io.redisops.storage.s3;

import io.redisops.storage.StoredObject;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * One upload of an object whose size is known in advance, as a single streaming {@code PutObject}:
 * the bytes the writer gives go through a small bounded pipe to an upload thread that sends them,
 * so nothing is stored twice (no parts to keep in memory, and no parts for the store to join when
 * the upload completes) and the object is read once.
 *
 * <p>The last bytes are held back until {@link #complete()}: the store receives the full {@code
 * Content-Length} only once the writer returned normally (its own checks, such as the SHA-256 of
 * the local object against its manifest, passed). A writer that fails, or writes more or fewer
 * bytes than announced, ends the request short of its length, and S3 stores nothing for a request
 * whose body is incomplete; the request is not retried (its body cannot be replayed).
 *
 * <p>The body carries the SDK's CRC32C as a trailing checksum ({@code x-amz-checksum-crc32c}; an
 * SDK's {@code PutObject} sends a CRC32 one by default): the store computes the checksum of what it
 * received and refuses the request when they differ, as it does for a {@code Content-MD5}. The
 * upload thread computes the same CRC32C as it reads the bytes, and after the upload the stored
 * object's size, and the checksum the store keeps when it reports one (AWS S3 does; S3Proxy's blob
 * stores keep none), are compared with what was sent. CRC32C costs next to nothing (a CPU
 * instruction per 8 bytes), where the MD5 of the body (for the ETag comparison this replaced) cost
 * about a third of a push's CPU (docs/benchmarks.md, "Reading them").
 */
final class SinglePutStream extends UploadStream {
  private static final Logger log = LoggerFactory.getLogger(SinglePutStream.class);

  /** Size of the pipe's chunks. */
  static final int CHUNK = 256 * 1024;

  /** Chunks the pipe holds at most: the writer waits when the upload thread lags. */
  static final int CHUNKS = 8;

  /** The request's retries are off: a streamed body cannot be sent twice. */
  private static final SdkPlugin NO_RETRIES =
      config -> config.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));

  private final S3Client client;
  private final String fullKey;
  private final String bucket;
  private final long size;
  private final BlockingQueue<byte[]> pipe = new ArrayBlockingQueue<>(CHUNKS);

  /**
   * Chunks the upload thread has sent, for the writer to fill again: the bytes do not stream
   * through the heap's young generation (the pipe, the one being read, the one held back and the
   * one being filled are all there are).
   */
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS + 3);

  private final Future<String> put;
  private final AtomicBoolean streamGiven = new AtomicBoolean();

  /** Set when the writer failed: the upload thread ends the request short. */
  private volatile Throwable failed;

  /** The full chunk waiting for more bytes (the last one goes only at {@link #complete()}). */
  private byte[] held;

  private byte[] current = new byte[CHUNK];
  private int filled;
  private long written;

  /** Whether the PUT carries the CRC32C trailer ({@link S3Settings#trailingChecksum()}). */
  private final boolean trailer;

  /**
   * The checksum of what the upload thread sent, set at the last byte: its CRC32C (base64, as S3
   * reports it) with the trailer, else its MD5 (hex, as an ETag).
   */
  private volatile String sentSum;

  SinglePutStream(
      S3Repository repo, S3Client client, ExecutorService executor, String key, long size) {
    super(repo, key);
    this.client = client;
    this.fullKey = repo.fullKey(key);
    this.bucket = repo.settings().bucket();
    this.size = size;
    S3Settings s = repo.settings();
    this.trailer = s.trailingChecksum();
    PutObjectRequest.Builder request =
        PutObjectRequest.builder()
            .bucket(bucket)
            .key(fullKey)
            .contentLength(size)
            .overrideConfiguration(o -> o.plugins(List.of(NO_RETRIES)));
    if (trailer) {
      // the SDK sends the body's CRC32C as a trailer, which the store checks on arrival
      request.checksumAlgorithm(ChecksumAlgorithm.CRC32_C);
    }
    if (!s.storageClass().equals("STANDARD")) {
      request.storageClass(StorageClass.fromValue(s.storageClass()));
    }
    if (!s.sse().equals("none")) {
      request.serverSideEncryption(ServerSideEncryption.fromValue(s.sse()));
      s.kmsKeyId().ifPresent(request::ssekmsKeyId);
    }
    PutObjectRequest built = request.build();
    this.put =
        executor.submit(
            () ->
                client
                    .putObject(
                        built,
                        RequestBody.fromContentProvider(
                            () -> {
                              if (!streamGiven.compareAndSet(false, true)) {
                                // Never reached with retries off; a second stream would be empty.
                                throw new IllegalStateException(
                                    "the body of " + repo.uri(key) + " cannot be sent twice");
                              }
                              return new PipeInput();
                            },
                            size,
                            "application/octet-stream"))
                    .eTag());
  }

  @Override
  void append(byte[] b, int off, int len) throws IOException {
    if (written + len > size) {
      throw new IOException(
          "more bytes written to "
              + repo.uri(key)
              + " than the "
              + size
              + " announced; nothing stored");
    }
    while (len > 0) {
      if (filled == current.length) {
        // a full chunk goes only once more bytes follow: the last one waits for complete()
        if (held != null) {
          offer(held);
        }
        held = current;
        byte[] reused = free.poll();
        current = reused == null ? new byte[CHUNK] : reused;
        filled = 0;
      }
      int n = Math.min(len, current.length - filled);
      System.arraycopy(b, off, current, filled, n);
      filled += n;
      off += n;
      len -= n;
      written += n;
    }
  }

  /** Sends the held-back bytes, waits for the PUT and checks the stored object. */
  StoredObject complete() throws IOException {
    end();
    if (written != size) {
      throw new IOException(
          written
              + " bytes written to "
              + repo.uri(key)
              + ", "
              + size
              + " announced; nothing stored");
    }
    if (held != null) {
      offer(held);
      held = null;
    }
    if (filled > 0) {
      offer(java.util.Arrays.copyOf(current, filled));
    }
    String sentEtag = await();
    S3Settings s = repo.settings();
    try {
      HeadObjectResponse head =
          trailer
              ? client.headObject(
                  b -> b.bucket(bucket).key(fullKey).checksumMode(ChecksumMode.ENABLED))
              : client.headObject(b -> b.bucket(bucket).key(fullKey));
      String expected = sentSum;
      if (head.contentLength() != size) {
        discard();
        throw new IOException(
            "stored object "
                + repo.uri(key)
                + " has "
                + head.contentLength()
                + " bytes, "
                + size
                + " were sent; removed");
      }
      // With the trailer: a store that keeps no checksum reports none (it checked the trailer on
      // arrival, or an older clone ignored it); the size was compared above either way. Without:
      // the ETag is the MD5 of the body, except with SSE-KMS or a store that computes ETags its
      // own way.
      String etag = head.eTag() == null ? "" : head.eTag().replace("\"", "");
      String stored =
          trailer
              ? head.checksumCRC32C()
              : !s.sse().equals("aws:kms") && etag.matches("[0-9a-f]{32}") ? etag : null;
      if (stored != null && !stored.equals(expected)) {
        discard();
        throw new IOException(
            "stored object "
                + repo.uri(key)
                + " has checksum ("
                + (trailer ? "CRC32C" : "ETag")
                + ") "
                + stored
                + ", expected "
                + expected
                + " from the bytes sent; removed");
      }
      log.debug(
          "stored {} ({} bytes, checksum {}, ETag {})", repo.uri(key), size, stored, sentEtag);
      return new StoredObject(
          key, size, head.lastModified() == null ? Instant.now() : head.lastModified());
    } catch (SdkException e) {
      throw S3Errors.translate(e, "write object", repo.uri(key), s);
    }
  }

  /** Gives up: the request ends short of its length (nothing stored), and its thread ends. */
  void abort(Throwable cause) {
    end();
    failed = cause == null ? new IOException("upload abandoned") : cause;
    pipe.clear(); // a writer blocked in offer() is this thread, so nothing waits to add more
    try {
      put.get();
    } catch (InterruptedException e) {
      put.cancel(true);
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // expected: the request failed because its body did
      log.debug("upload of {} abandoned: {}", repo.uri(key), e.getCause().toString());
    }
  }

  private void discard() {
    try {
      client.deleteObject(b -> b.bucket(bucket).key(fullKey));
    } catch (SdkException e) {
      log.warn(
          "unable to remove the damaged object {}: {}", repo.uri(key), S3Errors.rootMessage(e));
    }
  }

  private void offer(byte[] chunk) throws IOException {
    try {
      while (!pipe.offer(chunk, 1, TimeUnit.SECONDS)) {
        if (put.isDone()) {
          await(); // the request failed early (refused, unreachable): report that
          throw new IOException("upload of " + repo.uri(key) + " ended before its body was sent");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("upload of " + repo.uri(key) + " interrupted");
    }
  }

  private String await() throws IOException {
    try {
      return put.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("upload of " + repo.uri(key) + " interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof SdkException sdk) {
        throw S3Errors.translate(sdk, "write object", repo.uri(key), repo.settings());
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("unable to upload " + repo.uri(key) + ": " + c, c);
    }
  }

  /** What the upload thread reads: the pipe's chunks, checksummed (CRC32C or MD5) on the way. */
  private final class PipeInput extends InputStream {
    private final CRC32C crc = new CRC32C();
    private final MessageDigest md5 = trailer ? null : md5Digest();
    private byte[] chunk;
    private int pos;
    private long sent;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (sent == size) {
        return -1;
      }
      if (chunk == null || pos == chunk.length) {
        if (chunk != null && chunk.length == CHUNK) {
          free.offer(chunk); // read to its end: the writer may fill it again
        }
        chunk = next();
        pos = 0;
      }
      int n = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, n);
      if (trailer) {
        crc.update(chunk, pos, n);
      } else {
        md5.update(chunk, pos, n);
      }
      pos += n;
      sent += n;
      if (sent == size) {
        // the body's last byte: the SDK may stop reading at Content-Length
        sentSum =
            trailer
                ? Base64.getEncoder()
                    .encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array())
                : Hex.of(md5.digest());
      }
      return n;
    }

    private byte[] next() throws IOException {
      try {
        while (true) {
          Throwable f = failed;
          if (f != null) {
            throw new IOException("upload of " + repo.uri(key) + " abandoned: " + f, f);
          }
          byte[] c = pipe.poll(200, TimeUnit.MILLISECONDS);
          if (c != null) {
            return c;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("upload of " + repo.uri(key) + " interrupted");
      }
    }
  }

  private static MessageDigest md5Digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
  }
}
