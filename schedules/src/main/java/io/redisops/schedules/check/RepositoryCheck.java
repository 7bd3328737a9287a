package io.redisops.schedules.check;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.config.Settings;
import io.redisops.sentinel.CheckResult;
import io.redisops.storage.LocalRepository;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code repository}: the local repository folder takes a file (a probe written, synced and
 * removed, since permission bits say nothing to root); {@code repository-space}: its file system
 * has room for the next backup of every configured dataset, each at most as large as its newest
 * backup's raw RDB (what a backup with {@code compression: none} would store).
 */
final class RepositoryCheck implements SetupCheck {
  @Override
  public List<CheckResult> run(CheckTarget t) {
    Path root = t.settings().repositoryPath();
    List<CheckResult> out = new ArrayList<>();
    Path existing = root;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.toAbsolutePath().getParent();
    }
    if (!Files.exists(root)) {
      if (existing == null || !Files.isDirectory(existing)) {
        out.add(
            CheckResult.fail(
                "repository",
                root + " does not exist and cannot be created; set repository.path (or --repo)"));
        return out;
      }
      String probe = probe(existing);
      out.add(
          probe == null
              ? CheckResult.warn(
                  "repository",
                  root
                      + " does not exist yet; the first backup creates it (its parent "
                      + existing
                      + " takes files)")
              : CheckResult.fail(
                  "repository",
                  root
                      + " does not exist and "
                      + existing
                      + " takes no file ("
                      + probe
                      + "); create it for this user"));
    } else if (!Files.isDirectory(root)) {
      out.add(
          CheckResult.fail(
              "repository", root + " is not a directory; set repository.path (or --repo)"));
      return out;
    } else {
      String probe = probe(root);
      out.add(
          probe == null
              ? CheckResult.pass("repository", root + " takes files (a probe written and removed)")
              : CheckResult.fail(
                  "repository",
                  "a file cannot be written in "
                      + root
                      + " ("
                      + probe
                      + "); give this user write access to it"));
    }
    out.add(space(t, Files.exists(root) ? root : existing));
    return out;
  }

  private static CheckResult space(CheckTarget t, Path where) {
    long need = 0;
    List<String> sized = new ArrayList<>();
    LocalRepository repo = new LocalRepository(t.settings().repositoryPath());
    try {
      for (Settings.DatasetSettings d : t.settings().datasets()) {
        List<Manifest> backups = new BackupCatalog(repo, d.name()).list();
        if (!backups.isEmpty()) {
          need += backups.get(0).rawSize();
          sized.add(d.name());
        }
      }
      long free = Files.getFileStore(where).getUsableSpace();
      if (sized.isEmpty()) {
        return CheckResult.pass(
            "repository-space", Sizes.human(free) + " free; no backup yet to size the next one by");
      }
      String figures =
          Sizes.human(free)
              + " free, the next backup of "
              + String.join(", ", sized)
              + " needs up to "
              + Sizes.human(need)
              + " (the newest backup's raw size)";
      return free >= need
          ? CheckResult.pass("repository-space", figures)
          : CheckResult.fail(
              "repository-space",
              figures + "; free space on that file system or shorten retention");
    } catch (IOException e) {
      return CheckResult.fail(
          "repository-space",
          "unable to read the repository: " + e.getMessage() + "; check its permissions");
    }
  }

  /** Writes, syncs and removes a small file in {@code dir}: null when it worked, else why not. */
  private static String probe(Path dir) {
    Path f = dir.resolve(".redis-ops-check-" + UUID.randomUUID());
    try {
      try (OutputStream out =
          Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        out.write("redis-ops check\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
      try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      return null;
    } catch (IOException | SecurityException e) {
      return e instanceof java.nio.file.AccessDeniedException
          ? "permission denied"
          : String.valueOf(e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        // reported by the write's failure, if any
      }
    }
  }
}
