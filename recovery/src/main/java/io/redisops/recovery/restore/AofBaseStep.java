package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.pitr.AofLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * An RDB restore onto a server that runs with AOF on (at runtime and in its config file): before
 * the stop, the verified RDB becomes the base of a multi-part AOF ({@code <name>.1.base.rdb}, an
 * empty {@code <name>.1.incr.aof} and the manifest, written last), which {@link PlaceAofStep} then
 * puts in place of the AOF folder. Redis starts with AOF on, loads the base, and its AOF already
 * holds the restored data: the AOF rewrite of the safe sequence (load with AOF off, {@code CONFIG
 * SET appendonly yes}, wait for the rewrite, persist) has nothing left to do, and a restart at any
 * point loads the restored data (docs/redis-facts.md, "The safe restore sequence").
 */
final class AofBaseStep implements RestoreStep {
  private final RestoreRun run;

  AofBaseStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "aof-base";
  }

  @Override
  public String describe() {
    AofLayout l = run.aofLayout();
    return "lay out the verified RDB as the base of a new AOF in "
        + l.dir()
        + " ("
        + l.base().getFileName()
        + ", an empty "
        + l.incr().getFileName()
        + ", the manifest last)";
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    AofLayout l = takeBase(r);
    try (FileChannel ch =
        FileChannel.open(
            l.incr(),
            Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE))) {
      ch.force(true);
    }
    Files.setPosixFilePermissions(l.incr(), PosixFilePermissions.fromString("rw-------"));
    l.writeManifest();
    return "laid out " + l.dir() + "/ with the backup as its base";
  }

  /**
   * Creates the layout's folder and moves the verified RDB into it as the base (or, resumed after
   * that move, checks that the base is the backup): the first move of every AOF layout.
   */
  static AofLayout takeBase(RestoreRun r) throws IOException {
    AofLayout l = r.aofLayout();
    l.createDir();
    if (Files.exists(r.staging())) {
      Files.move(
          r.staging(),
          l.base(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } else if (!Files.isRegularFile(l.base())
        || !Quarantine.sha256(l.base()).equals(r.backup().rawSha256())) {
      throw RedisOpsException.failed(
          "the verified RDB " + r.staging() + " is gone and " + l.base() + " is not the backup");
    }
    return l;
  }

  @Override
  public void undo(RestoreRun r) throws IOException {
    AofLayout l = r.aofLayout();
    if (Files.exists(l.dir())) {
      Quarantine.deleteTree(l.dir());
    }
  }
}
