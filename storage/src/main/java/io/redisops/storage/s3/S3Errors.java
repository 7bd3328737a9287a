package io.redisops.storage.s3;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns SDK failures into redis-ops's error contract, in one place. A problem the operator must fix
 * in the configuration (credentials refused, bucket missing, access denied) is a usage error (exit
 * 2) that retrying cannot cure; an unreachable endpoint or a server error is an {@link IOException}
 * (exit 1), which the next run retries. Messages name the object and never carry a secret.
 */
final class S3Errors {
  private S3Errors() {}

  static IOException translate(SdkException e, String action, String object, S3Settings s) {
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      int status = s3.statusCode();
      String where = s.describe();
      if (isCredentialCode(code)) {
        throw new RedisOpsException(
            ExitCode.USAGE,
            "unable to "
                + action
                + " '"
                + object
                + "': "
                + where
                + " refused the credentials ("
                + code
                + "); check offsite.credentials",
            e);
      }
      if ("NoSuchBucket".equals(code)) {
        throw new RedisOpsException(
            ExitCode.USAGE,
            "unable to "
                + action
                + " '"
                + object
                + "': bucket '"
                + s.bucket()
                + "' does not exist"
                + s.endpoint().map(u -> " at " + u).orElse("")
                + "; check offsite.uri or create the bucket",
            e);
      }
      if (status == 403) {
        throw new RedisOpsException(
            ExitCode.USAGE,
            "unable to "
                + action
                + " '"
                + object
                + "': access denied by "
                + where
                + (code == null ? "" : " (" + code + ")")
                + "; check the permissions of the credentials",
            e);
      }
      if (status == 404 && ("NoSuchKey".equals(code) || code == null)) {
        NoSuchFileException nf = new NoSuchFileException(object, null, "no such object");
        nf.initCause(e);
        return nf;
      }
      return new IOException(
          "unable to "
              + action
              + " '"
              + object
              + "': "
              + where
              + " answered HTTP "
              + status
              + (code == null ? "" : " " + code),
          e);
    }
    if (e instanceof SdkClientException) {
      return new IOException(
          "unable to "
              + action
              + " '"
              + object
              + "': cannot reach "
              + s.endpoint().map(Object::toString).orElse("S3")
              + " ("
              + rootMessage(e)
              + "); check offsite.endpoint and the network",
          e);
    }
    return new IOException("unable to " + action + " '" + object + "': " + rootMessage(e), e);
  }

  /** The S3 error codes that mean "these credentials are refused". */
  static boolean isCredentialCode(String code) {
    return "InvalidAccessKeyId".equals(code)
        || "SignatureDoesNotMatch".equals(code)
        || "InvalidToken".equals(code)
        || "ExpiredToken".equals(code);
  }

  static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    String m = r.getMessage();
    return r.getClass().getSimpleName()
        + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }
}
