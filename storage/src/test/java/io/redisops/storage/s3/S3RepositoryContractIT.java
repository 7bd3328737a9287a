package io.redisops.storage.s3;

import io.redisops.secret.Secret;
import io.redisops.storage.Repository;
import io.redisops.storage.RepositoryContract;
import io.redisops.testkit.S3ProxyExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The repository contract on the S3 driver, against a real S3 server (S3Proxy in this JVM, loopback
 * only).
 */
class S3RepositoryContractIT extends RepositoryContract {
  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  private static final AtomicInteger buckets = new AtomicInteger();
  private final List<Repository> opened = new ArrayList<>();

  @Override
  protected Repository repository() {
    String bucket = "contract-" + buckets.incrementAndGet();
    s3.createBucket(bucket);
    S3Repository r =
        new S3Repository(
            new S3Settings(
                bucket,
                "prefix",
                Optional.of(s3.endpoint()),
                s3.region(),
                true,
                new S3Settings.Credentials.AccessKey(
                    s3.accessKey(), Secret.of(s3.secretKey()), "test"),
                "STANDARD",
                "none",
                Optional.empty(),
                trailingChecksum()));
    opened.add(r);
    return r;
  }

  /** The single PUT's checksum: the CRC32C trailer ({@code offsite.checksum: crc32c}). */
  protected boolean trailingChecksum() {
    return true;
  }

  @AfterEach
  void close() throws Exception {
    for (Repository r : opened) {
      r.close();
    }
  }
}
