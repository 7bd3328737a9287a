package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * Step 5: put the verified RDB in place as {@code dir/dbfilename} (a rename), owned like the data
 * directory.
 */
final class PlaceStep implements RestoreStep {
  private final RestoreRun run;

  PlaceStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "place";
  }

  @Override
  public String describe() {
    return "rename "
        + run.staging().getFileName()
        + " to "
        + run.target().rdbPath()
        + ", owned like "
        + run.target().dir();
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    if (Files.exists(r.staging())) {
      // Redis runs as the owner of its directory (user redis under systemd); a root-owned 0600 file
      // it could not read.
      PosixFileAttributes dirAttrs =
          Files.readAttributes(r.target().dirPath(), PosixFileAttributes.class);
      PosixFileAttributeView view =
          Files.getFileAttributeView(r.staging(), PosixFileAttributeView.class);
      try {
        view.setOwner(dirAttrs.owner());
        view.setGroup(dirAttrs.group());
      } catch (IOException e) {
        // not root: the file is ours, and we own the directory too (checked in the pre-flight)
      }
      Files.move(
          r.staging(),
          r.target().rdbPath(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return "placed " + r.target().rdbPath();
    }
    // Resumed after a crash right after the rename: the file in place must be the backup, byte for
    // byte.
    if (Files.exists(r.target().rdbPath()) && sha256(r).equals(r.backup().rawSha256())) {
      return "already in place: " + r.target().rdbPath();
    }
    throw RedisOpsException.failed(
        "the verified RDB "
            + r.staging()
            + " is gone and "
            + r.target().rdbPath()
            + " is not the backup");
  }

  @Override
  public void undo(RestoreRun r) throws IOException {
    Files.deleteIfExists(r.target().rdbPath());
  }

  private static String sha256(RestoreRun r) throws IOException {
    MessageDigest d = Hex.sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(r.target().rdbPath()), d)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return Hex.of(d.digest());
  }
}
