package io.redisops.schedules.check;

import io.redisops.config.OffsiteSettings;
import io.redisops.error.RedisOpsException;
import io.redisops.sentinel.CheckResult;
import io.redisops.storage.StoredObject;
import io.redisops.storage.s3.S3Repository;
import io.redisops.storage.s3.S3Settings;
import io.redisops.time.TimeFormats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The off-site store, when one is configured: {@code offsite-credentials} (readable and accepted),
 * {@code offsite-bucket} (it exists and lists) and {@code offsite-probe}: an object written, read
 * back, deleted, and the incomplete uploads under it listed, with the permissions a push, a fetch
 * and off-site retention use (docs/operations.md lists them). The probe lives under {@code
 * <prefix>/.redis-ops-check/}, outside every dataset.
 */
final class OffsiteCheck implements SetupCheck {
  static final String PROBE_FOLDER = ".redis-ops-check";

  @Override
  public List<CheckResult> run(CheckTarget t) {
    List<CheckResult> out = new ArrayList<>();
    Optional<OffsiteSettings> offsite = t.settings().offsite();
    if (offsite.isEmpty()) {
      return out;
    }
    S3Settings s3;
    try {
      s3 = offsite.get().s3();
    } catch (RedisOpsException e) {
      out.add(CheckResult.fail("offsite-credentials", e.getMessage()));
      return out;
    }
    try (S3Repository repo = new S3Repository(s3, t.timeout())) {
      String where = repo.describe();
      try {
        repo.list(PROBE_FOLDER + "/");
      } catch (IOException | RuntimeException e) {
        switch (S3Repository.classify(e)) {
          case CREDENTIALS ->
              out.add(
                  CheckResult.fail(
                      "offsite-credentials",
                      where
                          + " refused the credentials; check offsite.credentials (the access key"
                          + " and its secret)"));
          case NO_BUCKET -> {
            out.add(accepted(where));
            out.add(
                CheckResult.fail(
                    "offsite-bucket",
                    "bucket '"
                        + s3.bucket()
                        + "' does not exist"
                        + s3.endpoint().map(u -> " at " + u).orElse("")
                        + "; create it or correct offsite.uri"));
          }
          case ACCESS_DENIED -> {
            out.add(accepted(where));
            out.add(
                CheckResult.fail(
                    "offsite-bucket",
                    "listing bucket '"
                        + s3.bucket()
                        + "' is denied; grant s3:ListBucket on it to these credentials"));
          }
          case UNREACHABLE, OTHER ->
              out.add(
                  CheckResult.fail(
                      "offsite-endpoint",
                      oneLine(e) + "; check offsite.endpoint, offsite.region and the network"));
        }
        return out;
      }
      out.add(accepted(where));
      out.add(CheckResult.pass("offsite-bucket", "bucket '" + s3.bucket() + "' lists"));
      out.add(probe(repo, t));
    }
    return out;
  }

  private static CheckResult accepted(String where) {
    return CheckResult.pass("offsite-credentials", where + " accepts the credentials");
  }

  /** One object through every permission a push, fetch and prune need; the first denial fails. */
  private static CheckResult probe(S3Repository repo, CheckTarget t) {
    String key =
        PROBE_FOLDER
            + "/"
            + TimeFormats.STAMP.format(t.clock().instant())
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    byte[] body = ("redis-ops check probe " + key + "\n").getBytes(StandardCharsets.UTF_8);
    String step = "s3:PutObject (write " + key + ")";
    try {
      repo.write(key, o -> o.write(body));
      step = "s3:GetObject (read " + key + " back)";
      byte[] read;
      try (InputStream in = repo.read(key)) {
        read = in.readAllBytes();
      }
      if (!Arrays.equals(read, body)) {
        return CheckResult.fail(
            "offsite-probe",
            "the probe object "
                + key
                + " read back differs from what was written; check the store");
      }
      step = "s3:DeleteObject (delete " + key + ")";
      repo.delete(key);
      step = "s3:ListBucket (list " + PROBE_FOLDER + "/)";
      for (StoredObject o : repo.list(PROBE_FOLDER + "/")) {
        if (o.key().equals(key)) {
          return CheckResult.fail(
              "offsite-probe",
              "the probe object "
                  + key
                  + " is still listed after its delete; grant s3:DeleteObject");
        }
      }
      step = "s3:ListBucketMultipartUploads (list incomplete uploads)";
      repo.cleanupIncomplete(PROBE_FOLDER + "/");
      return CheckResult.pass(
          "offsite-probe",
          "an object written, read back, deleted, and incomplete uploads listed under "
              + repo.describe()
              + "/"
              + PROBE_FOLDER);
    } catch (IOException | RuntimeException e) {
      return CheckResult.fail(
          "offsite-probe",
          step
              + " failed: "
              + oneLine(e)
              + "; grant the credentials s3:ListBucket, s3:ListBucketMultipartUploads,"
              + " s3:GetObject, s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload");
    }
  }

  private static String oneLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
