package io.redisops.backup.offsite;

import io.redisops.secret.Secret;
import io.redisops.storage.s3.S3Settings;
import java.net.URI;
import java.util.Optional;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link OffsiteContract} against MinIO in a container. Skipped (reported as such) where no Docker
 * engine runs. The outage tests need a server the test can stop and start in place, so they run
 * against S3Proxy only.
 */
@Testcontainers(disabledWithoutDocker = true)
class OffsiteMinioIT extends OffsiteContract {
  @Container
  static final MinIOContainer minio =
      new MinIOContainer("minio/minio:RELEASE.2024-01-16T16-07-38Z");

  @Override
  S3Settings settings(String bucket, String prefix) {
    return new S3Settings(
        bucket,
        prefix,
        Optional.of(URI.create(minio.getS3URL())),
        "us-east-1",
        true,
        new S3Settings.Credentials.AccessKey(
            minio.getUserName(), Secret.of(minio.getPassword()), "test"),
        "STANDARD",
        "none",
        Optional.empty(),
        true);
  }

  @Override
  void createBucket(String name) {
    try (S3Client c =
        S3Client.builder()
            .endpointOverride(URI.create(minio.getS3URL()))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .httpClient(Apache5HttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(minio.getUserName(), minio.getPassword())))
            .build()) {
      c.createBucket(b -> b.bucket(name));
    }
  }

  @Override
  boolean canStopServer() {
    return false;
  }
}
