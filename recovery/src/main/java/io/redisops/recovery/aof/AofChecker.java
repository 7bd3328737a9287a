package io.redisops.recovery.aof;

import io.redisops.recovery.aof.AofFileReport.Status;
import io.redisops.recovery.aof.AofReport.Damage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an AOF with {@code redis-check-aof} and turns its output into an {@link AofReport}: per file the size, how
 * far it is valid, what lies after that point (bytes and commands) and the last {@code #TS} time before it.
 */
public final class AofChecker {
  private final CheckAofTool tool;

  public AofChecker(CheckAofTool tool) {
    this.tool = tool;
  }

  public CheckAofTool tool() {
    return tool;
  }

  /** Runs redis-check-aof on the manifest (or the single file) and reads the command parts for the figures. */
  public AofReport check(AofLocation location) {
    CheckAofTool.Output raw = tool.check(location.target());
    CheckAofOutput out = CheckAofOutput.parse(raw);
    List<AofFileReport> reports = new ArrayList<>();
    boolean stopped = false; // redis-check-aof stops at the first damaged file
    Damage damage = Damage.NONE;
    for (int i = 0; i < location.files().size(); i++) {
      AofFile f = location.files().get(i);
      boolean last = i == location.files().size() - 1;
      if (!Files.isRegularFile(f.path())) {
        reports.add(new AofFileReport(f.name(), f.type(), Status.MISSING, 0, -1, 0, -1, -1, null,
            "listed in the manifest but missing"));
        damage = damage == Damage.NONE ? Damage.OTHER : damage;
        stopped = true;
        continue;
      }
      long size = size(f.path());
      CheckAofOutput.Analyzed a = out.analyzed().get(f.name());
      boolean rdbBad = f.name().equals(out.badRdb());
      if (stopped || (a == null && !rdbBad)) {
        reports.add(new AofFileReport(f.name(), f.type(), stopped ? Status.NOT_CHECKED : (raw.exitCode() == 0
            ? Status.VALID : Status.NOT_CHECKED), size, stopped ? -1 : size, 0, -1, commandsIn(f, size).commands(),
            null, null));
        continue;
      }
      if (rdbBad) {
        reports.add(new AofFileReport(f.name(), f.type(), Status.DAMAGED, size, -1, size, -1, -1, null,
            "its RDB part is damaged (redis-check-aof: RDB preamble of AOF file is not sane)"));
        damage = Damage.BASE;
        stopped = true;
        continue;
      }
      if (a.diff() == 0) {
        CommandLog.Scan scan = commandsIn(f, size);
        reports.add(new AofFileReport(f.name(), f.type(), Status.VALID, size, size, 0, 0, scan.commands(),
            scan.lastTimestamp(), null));
        continue;
      }
      CommandLog.Scan before = commandsIn(f, a.okUpTo());
      CommandLog.Loss loss = CommandLog.lossFrom(f.path(), a.okUpTo());
      reports.add(new AofFileReport(f.name(), f.type(), Status.DAMAGED, size, a.okUpTo(), size - a.okUpTo(),
          loss.commands(), before.commands(), before.lastTimestamp(),
          "not valid after byte " + a.okUpTo() + " (line " + a.okUpToLine() + ")"));
      damage = last && f.type().holdsCommands() ? Damage.LAST_FILE : Damage.NOT_LAST_FILE;
      stopped = true;
    }
    if (damage == Damage.NONE && !out.allValid()) {
      damage = Damage.OTHER;
    }
    return new AofReport(location, reports, damage, out.lastLine());
  }

  /** The commands of a file's command part up to {@code limit}; nothing for RDB files. */
  private static CommandLog.Scan commandsIn(AofFile f, long limit) {
    if (!f.type().holdsCommands() && !f.name().endsWith(".aof") || startsWithRdb(f.path())) {
      return new CommandLog.Scan(-1, 0, 0, null, -1, null, null, null, -1);
    }
    return CommandLog.scan(f.path(), 0, limit);
  }

  /** Whether a file begins with an RDB part (a base, or an old single file written with aof-use-rdb-preamble). */
  static boolean startsWithRdb(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(5);
      return new String(magic, java.nio.charset.StandardCharsets.US_ASCII).equals("REDIS");
    } catch (IOException e) {
      return false;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }
}
