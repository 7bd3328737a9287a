package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.backup.rdb.RdbFormatException;
import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.backup.service.ImportResult.FileOutcome;
import io.redisops.backup.service.ImportResult.Status;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings existing RDB copies (the crontab's {@code cp dump.rdb} archive) into a dataset's catalog:
 * each is verified as a capture is and stored as a backup with {@code method: import}, then
 * retention runs, sparing what was just imported. What the {@code import} command calls.
 *
 * <p>Each file is read twice: a checking pass learns its snapshot time (the backup's id depends on
 * it), its SHA-256 (a copy already in the catalog is skipped before anything is written) and
 * whether it is valid at all; the storing pass is the one every backup takes, and must see the same
 * SHA-256.
 */
public final class ImportService {
  private static final Logger log = LoggerFactory.getLogger(ImportService.class);

  private final BackupContext context;

  public ImportService(BackupContext context) {
    this.context = context;
  }

  /** A file found under the paths; {@code problem} when its folder could not be read. */
  private record Found(Path path, String problem) {}

  /** A file that passed the checking pass. */
  private record Checked(
      RdbAnalysis analysis, long size, String sha256, ImportLayout.SnapshotTime time, Tier tier) {}

  /**
   * What the checking pass found: a valid copy, or the outcome of one that is refused or
   * unreadable.
   */
  private record Check(Checked valid, FileOutcome problem) {}

  /**
   * Imports every RDB under {@code request.paths()}.
   *
   * @param each hears each file's outcome as soon as it is final, in path order
   * @throws RedisOpsException exit 2 for a missing path (nothing is touched), 4 when no {@code
   *     *.rdb} file was found, 5 when another operation holds the dataset's lock
   */
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public ImportResult importFiles(
      ImportRequest request, Consumer<FileOutcome> each, ProgressListener progress) {
    String dataset = request.dataset();
    // 1. Every path must exist before anything is done; folders are searched for *.rdb.
    List<Found> found = find(request.paths());
    if (found.isEmpty()) {
      throw RedisOpsException.notFound(
          "no *.rdb file in "
              + String.join(", ", request.paths().stream().map(Path::toString).toList())
              + "; nothing was imported");
    }
    BackupCatalog catalog = context.catalog(dataset);
    // 2. One operation per dataset, as for a backup.
    try (DatasetLock lock = context.lock(dataset)) {
      int leftovers = catalog.cleanupIncomplete();
      Map<String, Manifest> known = new HashMap<>();
      for (Manifest m : catalog.list()) {
        known.putIfAbsent(m.rawSha256(), m);
      }
      // 3. The checking pass: valid, which time, which content.
      Map<Path, Check> checked = new HashMap<>();
      Map<String, Set<Tier>> tiersByContent = new HashMap<>();
      for (int i = 0; i < found.size(); i++) {
        Found f = found.get(i);
        if (f.problem() == null) {
          Check c = check(f.path(), request, (i + 1) + "/" + found.size(), progress);
          checked.put(f.path(), c);
          if (c.valid() != null) {
            Checked ok = c.valid();
            // the crontab's 00:00 copies (hourly and daily) are one file: one backup in both tiers
            tiersByContent
                .computeIfAbsent(ok.sha256(), k -> EnumSet.noneOf(Tier.class))
                .add(ok.tier());
          }
        }
      }
      // 4. The storing pass, in path order; duplicates are skipped.
      List<FileOutcome> outcomes = new ArrayList<>();
      Map<String, FileOutcome> importedNow = new HashMap<>();
      for (int i = 0; i < found.size(); i++) {
        Found f = found.get(i);
        Check c =
            f.problem() == null
                ? checked.get(f.path())
                : new Check(
                    null, new FileOutcome(f.path(), Status.FAILED, null, null, f.problem()));
        FileOutcome outcome;
        if (c.problem() != null) {
          outcome = c.problem();
        } else {
          Checked ok = c.valid();
          Manifest existing = known.get(ok.sha256());
          FileOutcome earlier = importedNow.get(ok.sha256());
          if (existing != null) {
            outcome =
                new FileOutcome(
                    f.path(),
                    Status.SKIPPED,
                    existing,
                    null,
                    "already in the catalog as " + existing.id());
          } else if (earlier != null) {
            outcome =
                new FileOutcome(
                    f.path(),
                    Status.SKIPPED,
                    earlier.backup(),
                    null,
                    "same content as " + earlier.path() + ", imported as " + earlier.backup().id());
          } else {
            outcome =
                store(
                    catalog,
                    f.path(),
                    ok,
                    tiers(tiersByContent.get(ok.sha256())),
                    (i + 1) + "/" + found.size(),
                    progress);
            if (outcome.status() == Status.IMPORTED) {
              importedNow.put(ok.sha256(), outcome);
            }
          }
        }
        log.info(
            "{} {}: {}",
            outcome.status().name().toLowerCase(Locale.ROOT),
            outcome.path(),
            outcome.reason() == null ? outcome.backup().id() : outcome.reason());
        outcomes.add(outcome);
        each.accept(outcome);
      }
      // 5. Retention, when the catalog changed; what this run imported stays at least until the
      // next prune.
      Set<String> ids = new LinkedHashSet<>();
      importedNow.values().forEach(o -> ids.add(o.backup().id()));
      List<RetentionPlanner.Decision> retention =
          ids.isEmpty() ? List.of() : new PruneService(context).prune(dataset, false, true, ids);
      return new ImportResult(outcomes, leftovers, retention);
    } catch (IOException e) {
      throw RedisOpsException.failed("import into " + dataset + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The tiers of one content found in several places: every tier a folder names; manual only when
   * none does (a stray copy elsewhere must not keep an hourly copy forever).
   */
  private static Set<Tier> tiers(Set<Tier> all) {
    Set<Tier> named = EnumSet.copyOf(all);
    named.remove(Tier.MANUAL);
    return named.isEmpty() ? all : named;
  }

  /** The checking pass over one file: it is read, verified and hashed; nothing is written. */
  private Check check(Path path, ImportRequest request, String nth, ProgressListener progress) {
    Checked checked;
    try (InputStream in = Files.newInputStream(path)) {
      long size = Files.size(path);
      Instant mtime = Files.getLastModifiedTime(path).toInstant();
      SnapshotStore.Outcome o;
      progress.begin("check " + nth + " " + path, size);
      try {
        o = SnapshotStore.reread(in, Compression.NONE, progress);
      } finally {
        progress.end();
      }
      ImportLayout.SnapshotTime time =
          ImportLayout.snapshotTime(o.analysis().aux(), path, mtime, context.clock().getZone());
      checked =
          new Checked(
              o.analysis(),
              size,
              o.rawSha256(),
              time,
              request.tier().orElseGet(() -> ImportLayout.autoTier(path)));
    } catch (RdbFormatException e) {
      return new Check(
          null, new FileOutcome(path, Status.REFUSED, null, null, BackupService.notAnRdb(e)));
    } catch (IOException e) {
      return new Check(
          null,
          new FileOutcome(path, Status.FAILED, null, null, "unable to read it: " + ioReason(e)));
    }
    String crc = BackupService.crcProblem(checked.analysis());
    return crc == null
        ? new Check(checked, null)
        : new Check(null, new FileOutcome(path, Status.REFUSED, null, null, crc));
  }

  /**
   * The storing pass: the one way every backup is stored, checked against what the checking pass
   * saw.
   */
  private FileOutcome store(
      BackupCatalog catalog,
      Path path,
      Checked c,
      Set<Tier> tiers,
      String nth,
      ProgressListener progress) {
    String subject = "'" + path + "'";
    BackupService.RdbOrigin origin =
        new BackupService.RdbOrigin(
            subject,
            "the copy is damaged",
            tiers,
            Manifest.METHOD_IMPORT,
            importedSource(c.analysis()),
            null,
            path.toString(),
            c.sha256());
    Instant started = context.clock().instant();
    try (InputStream in = Files.newInputStream(path)) {
      Manifest m =
          BackupService.store(
              context,
              catalog,
              origin,
              in,
              c.size(),
              c.time().time(),
              started,
              "import " + nth,
              progress);
      return new FileOutcome(path, Status.IMPORTED, m, c.time().source(), null);
    } catch (RedisOpsException e) {
      String reason =
          e.getMessage().startsWith(subject + " ")
              ? e.getMessage().substring(subject.length() + 1)
              : e.getMessage();
      return new FileOutcome(
          path,
          e.exitCode() == ExitCode.INTEGRITY ? Status.REFUSED : Status.FAILED,
          null,
          null,
          reason);
    } catch (IOException e) {
      return new FileOutcome(
          path, Status.FAILED, null, null, "unable to import it: " + ioReason(e));
    }
  }

  /**
   * The source of an imported copy: no server was asked, so host, port and run id are unknown; what
   * the RDB says of its writer ({@code redis-ver}, {@code valkey-ver}, {@code repl-id}, {@code
   * repl-offset}) is recorded.
   */
  static Manifest.Source importedSource(RdbAnalysis a) {
    Map<String, String> aux = a.aux();
    String valkeyVersion = aux.get("valkey-ver");
    String redisVersion = aux.get("redis-ver");
    String engine =
        valkeyVersion != null || "valkey".equals(a.engine())
            ? "valkey"
            : redisVersion != null ? Manifest.ENGINE_REDIS : null;
    Long offset = null;
    try {
      offset = aux.get("repl-offset") == null ? null : Long.valueOf(aux.get("repl-offset"));
    } catch (NumberFormatException e) {
      // not recorded
    }
    return new Manifest.Source(
        null,
        0,
        Manifest.Source.ROLE_IMPORT,
        null,
        aux.get("repl-id"),
        offset,
        redisVersion,
        engine,
        valkeyVersion);
  }

  /**
   * Each path's RDB files in path order, a file listed twice only once; a missing path is refused
   * (exit 2).
   */
  private static List<Found> find(List<Path> paths) {
    for (Path p : paths) {
      if (!Files.exists(p)) {
        throw RedisOpsException.usage("no such file or folder '" + p + "'; nothing was imported");
      }
      if (!Files.isDirectory(p) && !Files.isRegularFile(p)) {
        throw RedisOpsException.usage(
            "'" + p + "' is neither a file nor a folder; nothing was imported");
      }
    }
    Set<Path> seen = new LinkedHashSet<>();
    List<Found> out = new ArrayList<>();
    for (Path given : paths) {
      Path p = given.toAbsolutePath().normalize();
      List<Found> here = new ArrayList<>();
      if (Files.isDirectory(p)) {
        try {
          // links are followed (a copy may be a symlink); a link back up the tree is left out
          Files.walkFileTree(
              p,
              EnumSet.of(FileVisitOption.FOLLOW_LINKS),
              Integer.MAX_VALUE,
              new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                  if (attrs.isRegularFile() && file.getFileName().toString().endsWith(".rdb")) {
                    here.add(new Found(file, null));
                  }
                  return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                  if (e instanceof FileSystemLoopException) {
                    log.warn(
                        "not searching {} again: a link leads back to a folder above it", file);
                    return FileVisitResult.CONTINUE;
                  }
                  here.add(new Found(file, "unable to search it: " + ioReason(e)));
                  return FileVisitResult.CONTINUE;
                }
              });
        } catch (IOException e) {
          throw RedisOpsException.failed("unable to search '" + given + "': " + ioReason(e), e);
        }
        here.sort((a, b) -> a.path().toString().compareTo(b.path().toString()));
      } else {
        here.add(new Found(p, null));
      }
      for (Found f : here) {
        if (seen.add(f.path())) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static String ioReason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "it disappeared";
    }
    return e.getMessage();
  }
}
