package io.redisops.storage.s3;

import io.redisops.storage.NonClosingOutputStream;
import io.redisops.storage.Repository;
import io.redisops.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link Repository} in an S3 bucket under a prefix ({@code s3://bucket/prefix/<key>}), with the
 * AWS SDK v2 and any S3-compatible store (MinIO, Ceph, S3Proxy) through an endpoint override.
 *
 * <p>How the contract holds on S3: an object becomes visible only when its upload completes (a
 * single PUT or a completed multipart upload), so interrupted writes leave no object, only
 * incomplete multipart uploads, which {@link #cleanupIncomplete} aborts. A write of known size up
 * to {@link #SINGLE_PUT_MAX} streams as one PUT through {@link SinglePutStream} (a pipe of 2 MiB,
 * the body checked by its CRC32C); the others through {@link MultipartUploadStream} with memory
 * bounded by its part buffers ({@link #partsInFlight} plus one) whatever the size. The SDK retries
 * throttling, 5xx answers and dropped connections with exponential backoff and jitter ({@link
 * #MAX_ATTEMPTS} attempts per request). A failed request ends as an {@link IOException} naming the
 * object (exit 1: the next run tries again), except refused credentials, a missing bucket and
 * denied access, which retrying cannot cure: those are usage errors (exit 2).
 *
 * <p>Several hosts must not push the same dataset to the same prefix at once: {@link
 * #cleanupIncomplete} takes every incomplete upload under the prefix it is given as a leftover of
 * ours.
 */
public final class S3Repository implements Repository {
  private static final Logger log = LoggerFactory.getLogger(S3Repository.class);

  /**
   * Part size of multipart uploads: S3's minimum is 5 MiB and its maximum part count 10,000 (so 78
   * GiB per object).
   */
  public static final int PART_SIZE = 8 * 1024 * 1024;

  /** Parts uploaded at the same time, at most (see {@link #partsInFlight}). */
  public static final int PARALLEL_PARTS = 4;

  /**
   * Parts of a multipart upload in flight for a Java heap of at most {@code maxHeap} bytes: its
   * part buffers (those in flight and the one being filled) take at most an eighth of the heap, so
   * 1 part in flight with {@code -Xmx128m} (16 MiB of buffers), 3 with 256 MiB, {@link
   * #PARALLEL_PARTS} from 320 MiB (the launcher's default heap on any host with 2 GiB of memory or
   * more). A small heap is an operator's request for a small footprint: the buffers are most of
   * what a multipart upload adds to a push's memory (5 of them were 40 MiB of a 1.2 GB push's 210
   * MiB at {@code -Xmx128m}; docs/benchmarks.md, figure 4).
   */
  static int partsInFlight(long maxHeap) {
    long buffers = maxHeap / 8 / PART_SIZE;
    return (int) Math.max(1, Math.min(PARALLEL_PARTS, buffers - 1));
  }

  /**
   * The largest object written in one streaming {@code PutObject} when its size is known in advance
   * ({@link #write(String, long, BodyWriter)}); larger ones, and those of unknown size, go in a
   * multipart upload of {@link #PART_SIZE} parts. One PUT is read once, holds no part in memory and
   * leaves the store nothing to join; a multipart upload retries a failed part alone.
   */
  public static final long SINGLE_PUT_MAX = 1L << 30;

  static final int MAX_ATTEMPTS = 5;

  private final S3Settings settings;
  private final S3Client client;
  private final ExecutorService uploads;
  private final long singlePutMax;

  /** Parts of a multipart upload in flight, at most: {@link #partsInFlight} of the heap. */
  private final int partsInFlight;

  public S3Repository(S3Settings settings) {
    this(settings, Duration.ofSeconds(10));
  }

  /**
   * @param connectTimeout how long to wait for a TCP connection to the endpoint
   */
  public S3Repository(S3Settings settings, Duration connectTimeout) {
    this(settings, connectTimeout, SINGLE_PUT_MAX);
  }

  /**
   * @param singlePutMax the largest object sent in one PUT (tests: 0 makes every object of {@link
   *     #PART_SIZE} or more a multipart upload)
   */
  public S3Repository(S3Settings settings, Duration connectTimeout, long singlePutMax) {
    this(settings, connectTimeout, singlePutMax, partsInFlight(Runtime.getRuntime().maxMemory()));
  }

  /**
   * @param partsInFlight parts of a multipart upload sent at the same time, 1 to {@link
   *     #PARALLEL_PARTS} (tests: as with a small heap)
   */
  public S3Repository(
      S3Settings settings, Duration connectTimeout, long singlePutMax, int partsInFlight) {
    if (partsInFlight < 1 || partsInFlight > PARALLEL_PARTS) {
      throw new IllegalArgumentException("parts in flight: 1 to " + PARALLEL_PARTS);
    }
    this.settings = settings;
    this.singlePutMax = singlePutMax;
    this.partsInFlight = partsInFlight;
    var builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .forcePathStyle(settings.pathStyle())
            .credentialsProvider(credentials(settings.credentials()))
            // No checksum unless a request asks for one: the multipart upload's parts carry their
            // Content-MD5 (which also yields the multipart ETag compared after the upload); the
            // single streaming PUT asks for the SDK's CRC32C trailer (SinglePutStream), which is
            // what any SDK's PutObject sends by default and costs a fraction of an MD5's CPU.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(
                Apache5HttpClient.builder()
                    .maxConnections(PARALLEL_PARTS + 2)
                    .connectionTimeout(connectTimeout)
                    .socketTimeout(Duration.ofSeconds(60))
                    .build())
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(MAX_ATTEMPTS)
                            .build()));
    settings.endpoint().ifPresent(builder::endpointOverride);
    this.client = builder.build();
    AtomicInteger n = new AtomicInteger();
    this.uploads =
        Executors.newFixedThreadPool(
            PARALLEL_PARTS,
            r -> {
              Thread t = new Thread(r, "s3-upload-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  private static AwsCredentialsProvider credentials(S3Settings.Credentials c) {
    if (c instanceof S3Settings.Credentials.AccessKey k) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey().reveal()));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** What kind of problem an S3 failure was, for diagnostics such as {@code redis-ops check}. */
  public enum Failure {
    /** The store refused the credentials (unknown key, wrong secret, expired token). */
    CREDENTIALS,
    /** The bucket does not exist. */
    NO_BUCKET,
    /** The credentials lack a permission for this request (HTTP 403). */
    ACCESS_DENIED,
    /** The endpoint could not be reached. */
    UNREACHABLE,
    /** Anything else (a server error, a missing object...). */
    OTHER
  }

  /** Classifies a failure thrown by this repository (its cause chain holds the SDK's exception). */
  public static Failure classify(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof software.amazon.awssdk.services.s3.model.S3Exception s3) {
        String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
        if (S3Errors.isCredentialCode(code)) {
          return Failure.CREDENTIALS;
        }
        if ("NoSuchBucket".equals(code)) {
          return Failure.NO_BUCKET;
        }
        return s3.statusCode() == 403 ? Failure.ACCESS_DENIED : Failure.OTHER;
      }
      if (c instanceof software.amazon.awssdk.core.exception.SdkClientException) {
        return Failure.UNREACHABLE;
      }
    }
    return Failure.OTHER;
  }

  public S3Settings settings() {
    return settings;
  }

  @Override
  public String describe() {
    return settings.describe();
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.noneOf(Capability.class);
  }

  String fullKey(String key) {
    return settings.prefix().isEmpty() ? key : settings.prefix() + "/" + key;
  }

  private String relative(String fullKey) {
    return settings.prefix().isEmpty()
        ? fullKey
        : fullKey.substring(settings.prefix().length() + 1);
  }

  String uri(String key) {
    return "s3://" + settings.bucket() + "/" + fullKey(key);
  }

  @Override
  public List<StoredObject> list(String prefix) throws IOException {
    String full = fullKey(prefix.isEmpty() ? "" : prefix);
    String listPrefix =
        prefix.isEmpty() ? (settings.prefix().isEmpty() ? "" : settings.prefix() + "/") : full;
    List<StoredObject> out = new ArrayList<>();
    try {
      for (S3Object o :
          client
              .listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(listPrefix))
              .contents()) {
        out.add(new StoredObject(relative(o.key()), o.size(), o.lastModified()));
      }
    } catch (SdkException e) {
      throw S3Errors.translate(e, "list", "s3://" + settings.bucket() + "/" + listPrefix, settings);
    }
    out.sort(Comparator.comparing(StoredObject::key));
    return out;
  }

  @Override
  public List<String> folders(String prefix) throws IOException {
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      throw new IllegalArgumentException("a folder prefix ends with '/': " + prefix);
    }
    String listPrefix =
        prefix.isEmpty()
            ? (settings.prefix().isEmpty() ? "" : settings.prefix() + "/")
            : fullKey(prefix);
    List<String> out = new ArrayList<>();
    try {
      // one level: S3 rolls everything below a '/' up into a common prefix
      for (software.amazon.awssdk.services.s3.model.CommonPrefix p :
          client
              .listObjectsV2Paginator(
                  b -> b.bucket(settings.bucket()).prefix(listPrefix).delimiter("/"))
              .commonPrefixes()) {
        String name = p.prefix().substring(listPrefix.length(), p.prefix().length() - 1);
        if (!name.isEmpty() && !name.startsWith(".")) {
          out.add(name);
        }
      }
    } catch (SdkException e) {
      throw S3Errors.translate(e, "list", "s3://" + settings.bucket() + "/" + listPrefix, settings);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  @Override
  public InputStream read(String key) throws IOException {
    checkKey(key);
    try {
      return client.getObject(b -> b.bucket(settings.bucket()).key(fullKey(key)));
    } catch (SdkException e) {
      throw S3Errors.translate(e, "read object", uri(key), settings);
    }
  }

  @Override
  public StoredObject write(String key, BodyWriter body) throws IOException {
    checkKey(key);
    MultipartUploadStream upload =
        new MultipartUploadStream(this, client, uploads, key, partsInFlight);
    boolean done = false;
    try {
      // the body must not end the upload: only a body that returned normally may complete it (its
      // close only flushes the upload, which holds on to its bytes until complete())
      body.writeTo(new NonClosingOutputStream(upload));
      StoredObject stored = upload.complete();
      done = true;
      return stored;
    } finally {
      if (!done) {
        upload.abort();
      }
    }
  }

  /**
   * Objects of {@link #PART_SIZE} to {@link #SINGLE_PUT_MAX} bytes (unless configured otherwise),
   * except with SSE-KMS, go in one streaming PUT whose last bytes are sent only once the body
   * returned normally (see {@link SinglePutStream}); the others as {@link #write(String,
   * BodyWriter)} does.
   */
  @Override
  public StoredObject write(String key, long size, BodyWriter body) throws IOException {
    // With SSE-KMS the ETag is no MD5: only the parts' Content-MD5 can check the bytes stored.
    if (size < PART_SIZE || size > singlePutMax || settings.sse().equals("aws:kms")) {
      return Repository.super.write(key, size, body);
    }
    checkKey(key);
    SinglePutStream upload = new SinglePutStream(this, client, uploads, key, size);
    boolean done = false;
    Throwable failure = null;
    try {
      // the body must not end the upload: only a body that returned normally may complete it (its
      // close only flushes the upload, which holds on to its bytes until complete())
      body.writeTo(new NonClosingOutputStream(upload));
      StoredObject stored = upload.complete();
      done = true;
      return stored;
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      if (!done) {
        upload.abort(failure);
      }
    }
  }

  @Override
  public void delete(String key) throws IOException {
    checkKey(key);
    try {
      client.deleteObject(b -> b.bucket(settings.bucket()).key(fullKey(key)));
    } catch (SdkException e) {
      IOException io = S3Errors.translate(e, "delete object", uri(key), settings);
      if (!(io instanceof java.nio.file.NoSuchFileException)) {
        throw io;
      }
    }
  }

  /** Aborts every incomplete multipart upload under {@code prefix}. */
  @Override
  public int cleanupIncomplete(String prefix) throws IOException {
    String full = fullKey(prefix);
    int aborted = 0;
    try {
      for (MultipartUpload u :
          client
              .listMultipartUploadsPaginator(b -> b.bucket(settings.bucket()).prefix(full))
              .uploads()) {
        client.abortMultipartUpload(
            b -> b.bucket(settings.bucket()).key(u.key()).uploadId(u.uploadId()));
        log.info(
            "aborted the incomplete upload of s3://{}/{} started {}",
            settings.bucket(),
            u.key(),
            u.initiated());
        aborted++;
      }
    } catch (SdkException e) {
      throw S3Errors.translate(
          e,
          "clean up incomplete uploads under",
          "s3://" + settings.bucket() + "/" + full,
          settings);
    }
    return aborted;
  }

  /** Incomplete multipart uploads under a prefix (for tests and diagnostics). */
  public List<String> incompleteUploads(String prefix) throws IOException {
    String full = fullKey(prefix);
    try {
      List<String> out = new ArrayList<>();
      client
          .listMultipartUploadsPaginator(b -> b.bucket(settings.bucket()).prefix(full))
          .uploads()
          .forEach(u -> out.add(relative(u.key())));
      return out;
    } catch (SdkException e) {
      throw S3Errors.translate(
          e, "list incomplete uploads under", "s3://" + settings.bucket() + "/" + full, settings);
    }
  }

  @Override
  public void close() {
    uploads.shutdownNow();
    client.close();
  }

  private static void checkKey(String key) {
    io.redisops.storage.Keys.check(key);
  }
}
