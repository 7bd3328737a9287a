package io.redisops.storage.s3;

import io.redisops.storage.StoredObject;
import io.redisops.text.Hex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * One streaming upload to S3. Bytes fill a part buffer; a full buffer is uploaded by the
 * repository's upload threads while the next one fills. Buffers come from a pool of the parts in
 * flight ({@link S3Repository#partsInFlight}) plus one: when all are taken, the writer waits for a
 * part to finish, so memory stays bounded whatever the object's size. An object smaller than one
 * part goes up in a single PUT.
 *
 * <p>Every part carries its Content-MD5, which S3 checks on arrival; after completion the object's
 * size and ETag (for unencrypted or SSE-S3 objects, the MD5 of the parts' MD5s, {@code -N}) are
 * compared with what was sent. A part's MD5 is computed by the upload thread that sends it, just
 * before sending, not by the writer: the writer's thread only copies bytes (and whatever its caller
 * does, e.g. the SHA-256 of the local object), so hashing runs in parallel with reading.
 */
final class MultipartUploadStream extends UploadStream {
  private static final Logger log = LoggerFactory.getLogger(MultipartUploadStream.class);

  private final S3Client client;
  private final ExecutorService executor;
  private final String fullKey;
  private final String bucket;
  private final int buffers;
  private final BlockingQueue<byte[]> pool;
  private final List<Future<SentPart>> parts = new ArrayList<>();

  /** A part S3 accepted, with the MD5 it was sent with (for the multipart ETag). */
  private static final class SentPart {
    private final CompletedPart completed;
    private final byte[] md5;

    SentPart(CompletedPart completed, byte[] md5) {
      this.completed = completed;
      this.md5 = md5;
    }

    CompletedPart completed() {
      return completed;
    }

    byte[] md5() {
      return md5;
    }
  }

  private int allocated;
  private byte[] current;
  private int filled;
  private long total;
  private String uploadId;

  /**
   * @param inFlight parts uploaded at the same time, at most (as many upload threads as that, or
   *     more, in {@code executor})
   */
  MultipartUploadStream(
      S3Repository repo, S3Client client, ExecutorService executor, String key, int inFlight) {
    super(repo, key);
    this.buffers = inFlight + 1;
    this.pool = new ArrayBlockingQueue<>(buffers);
    this.client = client;
    this.executor = executor;
    this.fullKey = repo.fullKey(key);
    this.bucket = repo.settings().bucket();
  }

  @Override
  void append(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (current == null) {
        current = takeBuffer();
        filled = 0;
      }
      int n = Math.min(len, current.length - filled);
      System.arraycopy(b, off, current, filled, n);
      filled += n;
      off += n;
      len -= n;
      total += n;
      if (filled == current.length) {
        submitPart();
      }
    }
  }

  /** Uploads what is left, completes the upload, and checks the stored object. */
  StoredObject complete() throws IOException {
    end();
    S3Settings s = repo.settings();
    String expectedEtag;
    try {
      if (uploadId == null) {
        // Small object: one PUT, with its MD5 checked by S3.
        byte[] body = current == null ? new byte[0] : current;
        int len = current == null ? 0 : filled;
        byte[] md5 = md5(body, len);
        PutObjectRequest.Builder put =
            PutObjectRequest.builder()
                .bucket(bucket)
                .key(fullKey)
                .contentMD5(Base64.getEncoder().encodeToString(md5))
                .contentLength((long) len);
        if (!s.storageClass().equals("STANDARD")) {
          put.storageClass(StorageClass.fromValue(s.storageClass()));
        }
        if (!s.sse().equals("none")) {
          put.serverSideEncryption(ServerSideEncryption.fromValue(s.sse()));
          s.kmsKeyId().ifPresent(put::ssekmsKeyId);
        }
        client.putObject(
            put.build(),
            RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(body, 0, len), len, "application/octet-stream"));
        expectedEtag = Hex.of(md5);
      } else {
        if (current != null && filled > 0) {
          submitPart();
        }
        List<CompletedPart> done = new ArrayList<>();
        // parts are submitted in part-number order, so the MD5s are in the ETag's order too
        MessageDigest all = md5Digest();
        for (Future<SentPart> f : parts) {
          SentPart sent = await(f);
          done.add(sent.completed());
          all.update(sent.md5());
        }
        done.sort(Comparator.comparing(CompletedPart::partNumber));
        client.completeMultipartUpload(
            b ->
                b.bucket(bucket)
                    .key(fullKey)
                    .uploadId(uploadId)
                    .multipartUpload(m -> m.parts(done)));
        uploadId = null;
        expectedEtag = Hex.of(all.digest()) + "-" + parts.size();
      }
      HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(fullKey));
      if (head.contentLength() != total) {
        throw new IOException(
            "stored object "
                + repo.uri(key)
                + " has "
                + head.contentLength()
                + " bytes, "
                + total
                + " were sent");
      }
      String etag = head.eTag() == null ? "" : head.eTag().replace("\"", "");
      // With SSE-KMS (or a store that computes ETags its own way) the ETag is not an MD5: only its
      // size is compared then.
      if (!s.sse().equals("aws:kms")
          && etag.matches("[0-9a-f]{32}(-\\d+)?")
          && !etag.equals(expectedEtag)) {
        throw new IOException(
            "stored object "
                + repo.uri(key)
                + " has checksum (ETag) "
                + etag
                + ", expected "
                + expectedEtag
                + " from the bytes sent");
      }
      return new StoredObject(
          key, total, head.lastModified() == null ? Instant.now() : head.lastModified());
    } catch (SdkException e) {
      throw S3Errors.translate(e, "write object", repo.uri(key), s);
    }
  }

  /**
   * Gives up: waits for running parts and aborts the multipart upload (best effort;
   * cleanupIncomplete catches the rest).
   */
  void abort() {
    end();
    for (Future<SentPart> f : parts) {
      f.cancel(false);
      try {
        f.get();
      } catch (Exception ignored) {
        // the reason was reported by whoever failed first
      }
    }
    if (uploadId != null) {
      String id = uploadId;
      try {
        client.abortMultipartUpload(b -> b.bucket(bucket).key(fullKey).uploadId(id));
        log.info("aborted the upload of {}", repo.uri(key));
      } catch (SdkException e) {
        log.warn(
            "unable to abort the upload of {} ({}); the next push removes it",
            repo.uri(key),
            S3Errors.rootMessage(e));
      }
    }
  }

  private void submitPart() throws IOException {
    if (uploadId == null) {
      S3Settings s = repo.settings();
      CreateMultipartUploadRequest.Builder create =
          CreateMultipartUploadRequest.builder().bucket(bucket).key(fullKey);
      if (!s.storageClass().equals("STANDARD")) {
        create.storageClass(StorageClass.fromValue(s.storageClass()));
      }
      if (!s.sse().equals("none")) {
        create.serverSideEncryption(ServerSideEncryption.fromValue(s.sse()));
        s.kmsKeyId().ifPresent(create::ssekmsKeyId);
      }
      try {
        uploadId = client.createMultipartUpload(create.build()).uploadId();
      } catch (SdkException e) {
        throw S3Errors.translate(e, "start the upload of", repo.uri(key), s);
      }
    }
    if (parts.size() >= 10_000) {
      throw new IOException(
          "object "
              + repo.uri(key)
              + " exceeds S3's 10,000 parts of "
              + S3Repository.PART_SIZE
              + " bytes");
    }
    // A failed part ends the upload now rather than after the whole stream was read.
    for (Future<SentPart> f : parts) {
      if (f.isDone()) {
        await(f);
      }
    }
    byte[] buf = current;
    int len = filled;
    int number = parts.size() + 1;
    String id = uploadId;
    current = null;
    filled = 0;
    parts.add(
        executor.submit(
            () -> {
              try {
                byte[] md5 = md5(buf, len);
                String etag =
                    client
                        .uploadPart(
                            b ->
                                b.bucket(bucket)
                                    .key(fullKey)
                                    .uploadId(id)
                                    .partNumber(number)
                                    .contentLength((long) len)
                                    .contentMD5(Base64.getEncoder().encodeToString(md5)),
                            RequestBody.fromContentProvider(
                                () -> new ByteArrayInputStream(buf, 0, len),
                                len,
                                "application/octet-stream"))
                        .eTag();
                return new SentPart(
                    CompletedPart.builder().partNumber(number).eTag(etag).build(), md5);
              } finally {
                pool.add(buf);
              }
            }));
  }

  private byte[] takeBuffer() throws IOException {
    byte[] b = pool.poll();
    if (b != null) {
      return b;
    }
    if (allocated < buffers) {
      allocated++;
      return new byte[S3Repository.PART_SIZE];
    }
    try {
      // Every submitted part returns its buffer when it ends, successful or not, so this wait
      // always ends.
      while (true) {
        b = pool.poll(1, java.util.concurrent.TimeUnit.SECONDS);
        if (b != null) {
          return b;
        }
        for (Future<SentPart> f : parts) {
          if (f.isDone()) {
            await(f);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("upload of " + repo.uri(key) + " interrupted");
    }
  }

  private SentPart await(Future<SentPart> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("upload of " + repo.uri(key) + " interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof SdkException sdk) {
        throw S3Errors.translate(sdk, "upload a part of", repo.uri(key), repo.settings());
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("unable to upload a part of " + repo.uri(key) + ": " + c, c);
    }
  }

  private static byte[] md5(byte[] b, int len) {
    MessageDigest d = md5Digest();
    d.update(b, 0, len);
    return d.digest();
  }

  private static MessageDigest md5Digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
  }
}
