package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.recovery.aof.CheckAofTool;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.pitr.AofLayout;
import io.redisops.recovery.pitr.StreamCut;
import io.redisops.text.Sizes;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Point-in-time restore, step 2: while Redis still serves its data, read the archived segments
 * (each checked against its SHA-256 by the archive reader), cut the stream at the instant ({@link
 * StreamCut}) and lay out the multi-part AOF next to the data ({@link AofLayout}): the fetched RDB
 * as its base, the cut stream as its commands, the manifest last. {@code redis-check-aof} then
 * checks the commands file. The undo removes the folder.
 */
final class ArchiveCutStep implements RestoreStep {
  private final RestoreRun run;
  private final CheckAofTool checker;

  ArchiveCutStep(RestoreRun run, CheckAofTool checker) {
    this.run = run;
    this.checker = checker;
  }

  @Override
  public String name() {
    return "archive";
  }

  static AofLayout layout(RestoreRun r) {
    return r.aofLayout();
  }

  @Override
  public String describe() {
    PointInTime p = run.archive().cut();
    AofLayout l = layout(run);
    return "read "
        + p.segmentsRead()
        + " segment(s) of the "
        + p.archive()
        + " archive ("
        + p.firstSegment()
        + (p.segmentsRead() > 1 ? " .. " + p.lastSegment() : "")
        + ") checking each SHA-256, keep the "
        + p.commands()
        + " commands after the base's offset "
        + p.baseOffset()
        + " up to "
        + (p.lastCommand() == null
            ? "the cut (none)"
            : p.lastCommand() + " received at " + p.lastCommandTime())
        + " (SELECT "
        + p.db()
        + " first; PING, REPLCONF and PUBLISH dropped); lay out "
        + l.dir()
        + "/: "
        + l.base().getFileName()
        + " (the fetched RDB), "
        + l.incr().getFileName()
        + ", "
        + l.manifest().getFileName()
        + "; check the commands with redis-check-aof";
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    PointInTime p = r.archive().cut();
    if (r.archive().reader() == null || r.archive().chain().size() != p.segments().size()) {
      throw RedisOpsException.failed(
          "the "
              + p.archive()
              + " archive is not readable now or no longer holds every segment this restore applies ("
              + String.join(", ", p.segments())
              + "); give the same --from and configuration, or run 'restore --rollback'");
    }
    AofLayout l = AofBaseStep.takeBase(r);
    Path tmp = l.incr().resolveSibling(l.incr().getFileName() + ".part");
    StreamCut.Result cut;
    try (OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE),
            1 << 16)) {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      cut =
          StreamCut.cut(
              r.archive().chain(),
              r.archive().reader()::open,
              r.backup().stream(),
              p.lastSecond(),
              out);
    }
    if (cut.cutOffset() != p.cutOffset() || cut.commands() != p.commands()) {
      throw RedisOpsException.failed(
          "the archive changed since the plan: the cut is at offset "
              + cut.cutOffset()
              + " with "
              + cut.commands()
              + " commands, the plan said "
              + p.cutOffset()
              + " with "
              + p.commands()
              + "; run the restore again");
    }
    try (var ch = java.nio.channels.FileChannel.open(tmp, Set.of(StandardOpenOption.WRITE))) {
      ch.force(true);
    }
    Files.move(tmp, l.incr(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    l.writeManifest();
    String checked = check(r, l);
    return "laid out "
        + l.dir()
        + ": base "
        + Sizes.human(Files.size(l.base()))
        + ", "
        + cut.commands()
        + " commands ("
        + Sizes.human(Files.size(l.incr()))
        + ") from "
        + cut.segmentsRead()
        + " verified segment(s)"
        + (cut.dropped() > 0 ? ", " + cut.dropped() + " replication chatter commands dropped" : "")
        + "; "
        + checked;
  }

  /**
   * The commands file alone: a base newer than the checker is judged by the backup's own
   * verification (docs/redis-facts.md, "The AOF and redis-check-aof").
   */
  private String check(RestoreRun r, AofLayout l) {
    CheckAofTool.Output out;
    try {
      out = checker.check(l.incr());
    } catch (RedisOpsException e) {
      r.notices()
          .accept("the laid-out commands were not checked by redis-check-aof: " + e.getMessage());
      return "redis-check-aof not run";
    }
    if (out.exitCode() != 0) {
      String last = out.text().strip();
      int nl = last.lastIndexOf('\n');
      throw RedisOpsException.integrity(
          "redis-check-aof refuses the laid-out commands "
              + l.incr()
              + ": "
              + (nl >= 0 ? last.substring(nl + 1) : last));
    }
    return "redis-check-aof: valid";
  }

  @Override
  public void undo(RestoreRun r) throws IOException {
    Path dir = Path.of(r.archive().cut().layout());
    if (Files.exists(dir)) {
      Quarantine.deleteTree(dir);
    }
  }
}
