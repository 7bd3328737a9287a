package io.redisops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

class S3ProxyExtensionIT {

  private static final int PART_SIZE = 5 * 1024 * 1024;

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  private S3Client client;

  @BeforeEach
  void client() {
    client =
        S3Client.builder()
            .endpointOverride(s3.endpoint())
            .forcePathStyle(true)
            .region(Region.of(s3.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void putAndGetAnObject() {
    s3.createBucket("put-get");
    client.putObject(b -> b.bucket("put-get").key("a/b.txt"), RequestBody.fromString("hello"));

    assertThat(client.getObjectAsBytes(b -> b.bucket("put-get").key("a/b.txt")).asUtf8String())
        .isEqualTo("hello");
    assertThat(s3.blobStore().blobExists("put-get", "a/b.txt")).isTrue();
  }

  @Test
  void multipartUploadOfTwoPartsOfFiveMebibytes() {
    s3.createBucket("multipart");
    byte[] part1 = randomBytes(1);
    byte[] part2 = randomBytes(2);
    String uploadId =
        client.createMultipartUpload(b -> b.bucket("multipart").key("big")).uploadId();
    String etag1 =
        client
            .uploadPart(
                b -> b.bucket("multipart").key("big").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(part1))
            .eTag();
    String etag2 =
        client
            .uploadPart(
                b -> b.bucket("multipart").key("big").uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(part2))
            .eTag();
    client.completeMultipartUpload(
        b ->
            b.bucket("multipart")
                .key("big")
                .uploadId(uploadId)
                .multipartUpload(
                    CompletedMultipartUpload.builder()
                        .parts(
                            CompletedPart.builder().partNumber(1).eTag(etag1).build(),
                            CompletedPart.builder().partNumber(2).eTag(etag2).build())
                        .build()));

    byte[] stored = client.getObjectAsBytes(b -> b.bucket("multipart").key("big")).asByteArray();
    assertThat(stored).hasSize(2 * PART_SIZE);
    byte[] expected = new byte[2 * PART_SIZE];
    System.arraycopy(part1, 0, expected, 0, PART_SIZE);
    System.arraycopy(part2, 0, expected, PART_SIZE, PART_SIZE);
    assertThat(stored).isEqualTo(expected);
  }

  @Test
  void requestsFailWhileStoppedAndTheContentsSurviveARestart() {
    s3.createBucket("outage");
    client.putObject(b -> b.bucket("outage").key("kept"), RequestBody.fromString("still here"));
    int port = s3.endpoint().getPort();

    s3.stop();
    try {
      assertThatThrownBy(() -> client.getObjectAsBytes(b -> b.bucket("outage").key("kept")))
          .isInstanceOf(SdkClientException.class);
    } finally {
      s3.start();
    }

    assertThat(s3.endpoint().getPort()).isEqualTo(port);
    assertThat(client.getObjectAsBytes(b -> b.bucket("outage").key("kept")).asUtf8String())
        .isEqualTo("still here");
    assertThat(client.listObjectsV2(b -> b.bucket("outage")).contents())
        .extracting(o -> o.key())
        .isEqualTo(List.of("kept"));
  }

  private static byte[] randomBytes(long seed) {
    byte[] bytes = new byte[PART_SIZE];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
