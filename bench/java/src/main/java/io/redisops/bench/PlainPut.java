package io.redisops.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The off-site baseline: one plain {@code PutObject} of a file with the AWS SDK (the same Apache 5
 * HTTP client as redis-ops), as a user's own small uploader would do it.
 *
 * <p>Usage: {@code PlainPut <endpoint> <bucket> <key> <file>}; credentials from {@code
 * BENCH_S3_ACCESS_KEY} / {@code BENCH_S3_SECRET_KEY}. Prints one JSON line: bytes, seconds of the
 * PUT call alone, seconds since the JVM started (the caller also times the whole process).
 */
public final class PlainPut {

  private PlainPut() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: PlainPut <endpoint> <bucket> <key> <file>");
      System.exit(2);
    }
    Path file = Path.of(args[3]);
    long bytes = Files.size(file);
    try (S3Client client =
        S3Client.builder()
            .endpointOverride(URI.create(args[0]))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        System.getenv("BENCH_S3_ACCESS_KEY"),
                        System.getenv("BENCH_S3_SECRET_KEY"))))
            .httpClient(Apache5HttpClient.create())
            .build()) {
      long start = System.nanoTime();
      client.putObject(b -> b.bucket(args[1]).key(args[2]), RequestBody.fromFile(file));
      double putSeconds = (System.nanoTime() - start) / 1e9;
      double sinceJvmStart =
          (System.currentTimeMillis()
                  - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime())
              / 1e3;
      System.out.printf(
          java.util.Locale.ROOT,
          "{\"bytes\": %d, \"put_seconds\": %.3f, \"since_jvm_start_seconds\": %.3f}%n",
          bytes,
          putSeconds,
          sinceJvmStart);
    }
  }
}
