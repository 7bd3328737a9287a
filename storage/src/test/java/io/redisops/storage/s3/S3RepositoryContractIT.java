package io.redisops.storage.s3;

import io.redisops.secret.Secret;
import io.redisops.storage.Repository;
import io.redisops.storage.RepositoryContract;
import io.redisops.testkit.Await;
import io.redisops.testkit.S3ProxyExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
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

  /**
   * S3Proxy's blob store writes a PUT's body to {@code KEY-UUID} and renames it when whole; a PUT
   * the client aborted is deleted when the server's thread notices the closed connection, which can
   * come after the client's next request. Real S3 never lists a PUT that did not complete. So this
   * waits, at most 10 s, until no such temporary name is listed: any other leftover still fails the
   * contract.
   */
  @Override
  protected List<String> keysAfterFailedWrites(Repository r, String prefix) {
    return Await.value(
        Duration.ofSeconds(10),
        "S3Proxy to delete its temporary copy of each aborted PUT under " + prefix,
        () -> {
          try {
            List<String> keys = super.keysAfterFailedWrites(r, prefix);
            return keys.stream().anyMatch(k -> S3PROXY_TEMPORARY.matcher(k).find()) ? null : keys;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static final Pattern S3PROXY_TEMPORARY =
      Pattern.compile("-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  @AfterEach
  void close() throws Exception {
    for (Repository r : opened) {
      r.close();
    }
  }
}
