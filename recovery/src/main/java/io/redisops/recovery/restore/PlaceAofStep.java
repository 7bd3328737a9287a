package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.pitr.AofLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;

/**
 * A restore that places an AOF (point in time, or an RDB restore onto a server with AOF on): the
 * laid-out AOF folder becomes {@code <dir>/<appenddirname>} (a rename in the data directory, whose
 * own AOF folder is in the quarantine by now), owned like the data directory.
 */
final class PlaceAofStep implements RestoreStep {
  private final RestoreRun run;

  PlaceAofStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "place";
  }

  @Override
  public String describe() {
    return "rename "
        + run.aofLayout().dir().getFileName()
        + "/ to "
        + run.target().aofDirPath()
        + "/, owned like "
        + run.target().dir();
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    AofLayout staged = r.aofLayout();
    AofLayout placed = AofLayout.in(r.target().aofDirPath(), r.target().appendfilenameOrDefault());
    if (Files.isDirectory(staged.dir())) {
      if (!staged.complete()) {
        throw RedisOpsException.failed("the laid-out AOF " + staged.dir() + " is incomplete");
      }
      if (Files.exists(r.target().aofDirPath())) {
        throw RedisOpsException.failed(
            r.target().aofDirPath() + " exists though the quarantine moved it away");
      }
      chown(r, staged);
      Files.move(staged.dir(), r.target().aofDirPath(), StandardCopyOption.ATOMIC_MOVE);
      return "placed " + r.target().aofDirPath() + "/";
    }
    // resumed after a crash right after the rename
    if (placed.complete() && Quarantine.sha256(placed.base()).equals(r.backup().rawSha256())) {
      return "already in place: " + r.target().aofDirPath() + "/";
    }
    throw RedisOpsException.failed(
        "the laid-out AOF "
            + staged.dir()
            + " is gone and "
            + r.target().aofDirPath()
            + " is not the restore's");
  }

  /** Redis runs as the owner of its directory (user redis under systemd). */
  private static void chown(RestoreRun r, AofLayout l) throws IOException {
    PosixFileAttributes dirAttrs =
        Files.readAttributes(r.target().dirPath(), PosixFileAttributes.class);
    for (Path p : List.of(l.dir(), l.base(), l.incr(), l.manifest())) {
      PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
      try {
        view.setOwner(dirAttrs.owner());
        view.setGroup(dirAttrs.group());
      } catch (IOException e) {
        return; // not root: the files are ours, and so is the directory (checked in the pre-flight)
      }
    }
  }

  @Override
  public void undo(RestoreRun r) throws IOException {
    if (Files.exists(r.target().aofDirPath())) {
      Quarantine.deleteTree(r.target().aofDirPath());
    }
  }
}
