package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code --from auto|local|offsite}: which repositories a restore may read, and the fallback of
 * {@code auto} (the local copy first; the off-site copy of the same backup when the local one is
 * missing or fails verification, said aloud).
 */
public final class BackupSources {

  /** The {@code --from} choice. */
  public enum From {
    AUTO,
    LOCAL,
    OFFSITE;

    public static From parse(String text) {
      for (From f : values()) {
        if (f.name()
            .toLowerCase(Locale.ROOT)
            .equals(text == null ? "" : text.toLowerCase(Locale.ROOT))) {
          return f;
        }
      }
      throw RedisOpsException.usage("--from '" + text + "' is not one of auto, local, offsite");
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final BackupSource local;
  private final BackupSource offsite;
  private final From from;

  /**
   * @param local the local repository
   * @param offsite the off-site repository, or null when none is configured (or this version cannot
   *     read it)
   */
  public BackupSources(BackupSource local, BackupSource offsite, From from) {
    this.local = local;
    this.offsite = offsite;
    this.from = from;
    if (from == From.OFFSITE && offsite == null) {
      throw RedisOpsException.usage(
          "--from offsite: no off-site repository is configured (set offsite.uri"
              + " or --offsite); use --from local");
    }
  }

  public From from() {
    return from;
  }

  /** The sources in the order they are tried. */
  List<BackupSource> order() {
    List<BackupSource> out = new ArrayList<>();
    if (from != From.OFFSITE) {
      out.add(local);
    }
    if (from != From.LOCAL && offsite != null) {
      out.add(offsite);
    }
    return out;
  }

  /**
   * Complete backups of the dataset in the allowed sources, one entry per id (the first source's
   * manifest wins).
   */
  public List<Manifest> list(String dataset) throws IOException {
    Map<String, Manifest> byId = new LinkedHashMap<>();
    for (BackupSource s : order()) {
      for (Manifest m : s.list(dataset)) {
        byId.putIfAbsent(m.id(), m);
      }
    }
    return List.copyOf(byId.values());
  }

  /**
   * Fetches and verifies backup {@code m} into {@code target}, trying the sources in order and
   * skipping those that do not have it or whose copy fails verification; each fallback is told to
   * {@code notices}.
   *
   * @return the {@link BackupSource#where()} of the source that delivered it
   * @throws RedisOpsException exit 3 when no source holds an intact copy (every problem named)
   */
  public String fetch(
      String dataset, Manifest m, Path target, ProgressListener progress, Consumer<String> notices)
      throws IOException {
    List<String> problems = new ArrayList<>();
    List<BackupSource> sources = order();
    for (int i = 0; i < sources.size(); i++) {
      BackupSource s = sources.get(i);
      boolean has = s.list(dataset).stream().anyMatch(x -> x.id().equals(m.id()));
      String next =
          i + 1 < sources.size() ? "; trying the " + sources.get(i + 1).where() + " copy" : "";
      if (!has) {
        problems.add(s.where() + ": no such backup in " + s.describe());
        if (!next.isEmpty()) {
          notices.accept("backup " + m.id() + " has no " + s.where() + " copy" + next);
        }
        continue;
      }
      try {
        s.fetch(dataset, m, target, progress);
        if (i > 0) {
          notices.accept(
              "restoring backup "
                  + m.id()
                  + " from the "
                  + s.where()
                  + " copy ("
                  + s.describe()
                  + ")");
        }
        return s.where();
      } catch (RedisOpsException e) {
        if (e.exitCode() != ExitCode.INTEGRITY) {
          throw e;
        }
        problems.add(s.where() + ": " + e.getMessage());
        if (!next.isEmpty()) {
          notices.accept(
              "the "
                  + s.where()
                  + " copy of backup "
                  + m.id()
                  + " failed verification ("
                  + e.getMessage()
                  + ")"
                  + next);
        }
      }
    }
    throw RedisOpsException.integrity(
        "no intact copy of backup "
            + m.id()
            + ": "
            + String.join("; ", problems)
            + (from == From.AUTO && offsite == null
                ? " (no off-site repository configured to fall back to)"
                : "")
            + "; choose an older backup with --backup ID");
  }
}
