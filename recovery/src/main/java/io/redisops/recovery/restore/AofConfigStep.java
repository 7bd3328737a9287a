package io.redisops.recovery.restore;

import io.redisops.recovery.kernel.Quarantine;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Point-in-time restore of a Redis whose config file said {@code appendonly no} (or nothing): the
 * file back as it was (its copy in the quarantine: {@code aof-on} was the restore's only change to
 * it, so a file without the line gets none), and, when AOF is off at runtime too, the laid-out AOF
 * folder removed once {@code dbfilename} holds the data (the {@code save} step): left there, it
 * would be loaded instead of the RDB the day someone turns AOF on in the file. The order matters:
 * with the line still {@code yes}, a restart loads the laid-out AOF, the same data.
 */
final class AofConfigStep implements RestoreStep {
  private final RestoreRun run;

  AofConfigStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "aof-config";
  }

  @Override
  public String describe() {
    return "put "
        + run.target().configFile()
        + " back as it was (appendonly no, from "
        + run.configCopy().getFileName()
        + " in the quarantine)"
        + (run.target().aofOn()
            ? ""
            : "; then remove "
                + run.target().aofDirPath()
                + "/ (the data is in "
                + run.target().dbfilename()
                + ")");
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    if (Files.exists(r.configCopy())) {
      RedisConfigFile.replaceAtomically(
          r.target().configPath(), Files.readAllBytes(r.configCopy()));
    } else {
      new RedisConfigFile(r.target().configPath()).set("appendonly", "no");
    }
    if (!r.target().aofOn() && Files.exists(r.target().aofDirPath())) {
      Quarantine.deleteTree(r.target().aofDirPath());
      return "appendonly no in "
          + r.target().configFile()
          + ", "
          + r.target().aofDirPath()
          + "/ removed";
    }
    return "appendonly no in " + r.target().configFile();
  }
}
