package io.redisops.backup.offsite;

import io.redisops.secret.Secret;
import io.redisops.storage.s3.S3Settings;
import io.redisops.testkit.S3ProxyExtension;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link OffsiteContract} against S3Proxy inside the test JVM, which can also be stopped and
 * started (an outage).
 */
class OffsiteS3ProxyIT extends OffsiteContract {
  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  @Override
  S3Settings settings(String bucket, String prefix) {
    return new S3Settings(
        bucket,
        prefix,
        Optional.of(s3.endpoint()),
        s3.region(),
        true,
        new S3Settings.Credentials.AccessKey(s3.accessKey(), Secret.of(s3.secretKey()), "test"),
        "STANDARD",
        "none",
        Optional.empty(),
        true);
  }

  @Override
  void createBucket(String name) {
    s3.createBucket(name);
  }

  @Override
  boolean canStopServer() {
    return true;
  }

  @Override
  void stopServer() {
    s3.stop();
  }

  @Override
  void startServer() {
    s3.start();
  }
}
