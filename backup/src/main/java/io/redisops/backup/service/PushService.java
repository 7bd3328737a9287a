package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.io.TappedInputStream;
import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.storage.NonClosingOutputStream;
import io.redisops.text.Hex;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every complete local backup that is missing off-site: what {@code redis-ops push} and the
 * daemon's off-site job call. Idempotent: a backup whose manifest is already off-site is left
 * alone, so a push after an outage catches up everything the failed runs missed, and a second push
 * does nothing.
 *
 * <p>Each copy streams the local object (encrypting it when a key is configured) to the remote
 * repository, hashing it on the way: a local object whose SHA-256 differs from its manifest is
 * refused (its upload is dropped) rather than spread; the remote driver checks the stored object's
 * checksum against the bytes sent. Only then is the manifest written, last, so an interrupted copy
 * is never listed off-site.
 */
public final class PushService {
  private static final Logger log = LoggerFactory.getLogger(PushService.class);

  private final BackupContext local;
  private final Offsite offsite;

  public PushService(BackupContext local, Offsite offsite) {
    this.local = local;
    this.offsite = offsite;
  }

  /**
   * @param dryRun decide and report; copy, clean and delete nothing
   * @throws RedisOpsException exit 1 when the off-site store fails (unreachable, 5xx after
   *     retries), exit 2 when it refuses the configuration (credentials, bucket), exit 5 when
   *     another push of the dataset runs
   */
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public PushResult push(String dataset, boolean dryRun, ProgressListener progress) {
    BackupCatalog here = local.catalog(dataset);
    BackupCatalog there = offsite.remote().catalog(dataset);
    String where = offsite.remote().repository().describe();
    // 1. One push per dataset at a time; local backups use another lock and go on meanwhile.
    try (DatasetLock lock = dryRun ? null : offsite.remote().lock(dataset)) {
      // 2. What interrupted pushes left: incomplete multipart uploads, objects without a manifest.
      int leftovers = dryRun ? 0 : there.cleanupIncomplete();
      if (leftovers > 0) {
        log.info(
            "removed {} leftover(s) of interrupted pushes of {} in {}", leftovers, dataset, where);
      }
      // 3. Which local backups are missing there.
      Set<String> remoteIds = new HashSet<>();
      there.list().forEach(m -> remoteIds.add(m.id()));
      List<PushResult.Pushed> pushed = new ArrayList<>();
      List<String> already = new ArrayList<>();
      List<PushResult.Refused> refused = new ArrayList<>();
      // Newest first: after a long outage, the most valuable copy is off-site soonest.
      for (Manifest m : here.list()) {
        if (remoteIds.contains(m.id())) {
          already.add(m.id());
        } else if (dryRun) {
          pushed.add(new PushResult.Pushed(m.id(), m.storedSize(), 0));
        } else {
          // 4. Copy, check, then the manifest.
          long started = System.nanoTime();
          try {
            copy(here, there, m, progress);
            pushed.add(
                new PushResult.Pushed(
                    m.id(), m.storedSize(), (System.nanoTime() - started) / 1_000_000));
          } catch (RedisOpsException e) {
            if (e.exitCode() != ExitCode.INTEGRITY) {
              throw e;
            }
            log.error("backup {}/{} not pushed: {}", dataset, m.id(), e.getMessage());
            refused.add(new PushResult.Refused(m.id(), e.getMessage()));
          }
        }
      }
      // 5. Off-site retention, now that the new copies count.
      List<RetentionPlanner.Decision> retention =
          dryRun || pushed.isEmpty()
              ? List.of()
              : new PruneService(offsite.remote()).prune(dataset, false, true);
      return new PushResult(dataset, dryRun, pushed, already, refused, leftovers, retention);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "push of "
              + dataset
              + " to "
              + where
              + " failed: "
              + e.getMessage()
              + "; local backups are unaffected and the next push catches up",
          e);
    }
  }

  private void copy(BackupCatalog here, BackupCatalog there, Manifest m, ProgressListener progress)
      throws IOException {
    Manifest stored = offsite.encryption().describe(m);
    String key = there.objectKey(m.id(), stored.object());
    progress.begin("push " + m.dataset() + "/" + m.id(), m.storedSize());
    // The size of what is sent is known in advance: the repository may then send it in one request
    // (S3: one PUT whose last bytes go only once the checks below passed).
    long plainSize = m.storedSize();
    long size = offsite.encryption().storedSize(plainSize);
    try {
      there
          .repository()
          .write(
              key,
              size,
              out -> {
                OutputStream target =
                    offsite
                        .encryption()
                        .encrypt(
                            new NonClosingOutputStream(
                                out)); // the repository ends the upload, not the encryptor
                OutputStream sink =
                    new FilterOutputStream(target) {
                      private long sent;

                      @Override
                      public void write(byte[] b, int off, int len) throws IOException {
                        sent += len;
                        if (sent > plainSize) {
                          // longer than its manifest says: refused before the repository
                          // sees more bytes than announced
                          throw checksumFailure(m, "more than " + plainSize, null);
                        }
                        out.write(b, off, len);
                      }

                      @Override
                      public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                      }
                    };
                TappedInputStream source;
                try (InputStream in = here.openObject(m)) {
                  source = new TappedInputStream(in, Hex.sha256(), sink, progress);
                  source.drain();
                }
                target.close();
                String sha256 = source.hex(); // once: the digest resets when it is read
                if (source.count() != m.storedSize() || !sha256.equals(m.storedSha256())) {
                  // Thrown inside the body: the upload is dropped, a damaged backup is never
                  // copied.
                  throw checksumFailure(m, Long.toString(source.count()), sha256);
                }
              });
    } finally {
      progress.end();
    }
    // The manifest last: from now on the backup exists off-site.
    there.saveManifest(stored);
    log.info(
        "pushed backup {}/{} to {} ({} bytes{})",
        m.dataset(),
        m.id(),
        there.repository().describe(),
        m.storedSize(),
        stored.encrypted() ? ", encrypted with key " + stored.encryptionKeyId() : "");
  }

  private static RedisOpsException checksumFailure(Manifest m, String bytes, String sha256) {
    return RedisOpsException.integrity(
        "local backup "
            + m.dataset()
            + "/"
            + m.id()
            + " fails its checksum ("
            + (sha256 == null ? "" : "SHA-256 " + sha256 + ", ")
            + bytes
            + " bytes; the manifest says "
            + m.storedSha256()
            + ", "
            + m.storedSize()
            + " bytes); not pushed; run 'redis-ops verify "
            + m.id()
            + "'");
  }
}
