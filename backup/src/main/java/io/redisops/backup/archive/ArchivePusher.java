package io.redisops.backup.archive;

import io.redisops.backup.crypto.EncryptionKey;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.io.TappedInputStream;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.storage.NonClosingOutputStream;
import io.redisops.storage.StoredObject;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a dataset's sealed segments to the off-site repository as soon as they are sealed, on its
 * own thread so that the archiver's seal period never waits for S3.
 *
 * <p>The archiver {@link #submit}s each record it writes (a new segment, or a record whose {@code
 * sealed_at} moved on); this thread copies the segment's content object (encrypted when the
 * off-site store has a key: {@code <start>.aof.zst.enc}), checking its SHA-256 against the record
 * on the way, then writes the record last, with the encryption it used: a segment is listed
 * off-site only once its content is complete, as locally. A record whose content is already there
 * (only its {@code sealed_at} moved on) is rewritten alone. Before the first segment of a timeline,
 * its {@code timeline.json} is copied.
 *
 * <p>When it starts (and after every failure) it compares the local and off-site listings and
 * pushes every local record missing off-site, so what a stopped daemon or an S3 outage left behind
 * is pushed when it is back. A failure is retried with a back-off of up to 30 s; the off-site lag
 * ({@link #lag}) grows meanwhile.
 *
 * <p>Compaction ({@link ArchiveCompactor}) reaches the off-site archive through this thread: a
 * merged segment submitted (or found missing off-site) is pushed like any other, content then
 * record, after the fresh segments of the same batch; once its record is written, the off-site
 * segments it holds are removed (records first), a few at a time while nothing new waits, so that
 * removing them never delays a fresh segment for long. Off-site the merged segment is listed before
 * its parts go, so coverage is never lost. A segment queued here whose local record and content a
 * compaction removed meanwhile is dropped from the queue (the merged segment holding it is pushed
 * instead), and the listings are compared again.
 */
public final class ArchivePusher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ArchivePusher.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final String dataset;
  private final ArchiveStore local;
  private final ArchiveStore remote;
  private final Clock clock;
  private final Object lock = new Object();

  /** What is to be pushed, by segment id, in the order it was sealed. */
  private final Map<String, ArchiveStore.SegmentRecord> pending = new LinkedHashMap<>();

  /** Segment ids whose content is off-site (recent ones only: a touch concerns the newest). */
  private final Map<String, Long> contentThere =
      new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > 256;
        }
      };

  /** Off-site objects of segments a pushed merged segment holds, to remove (records first). */
  private final java.util.Deque<String> removals = new java.util.ArrayDeque<>();

  private static final int REMOVALS_AT_ONCE = 50;

  private final Set<String> timelinesThere = new HashSet<>();
  private volatile boolean stopping;
  private volatile boolean caughtUp;
  private volatile Instant newestLocal;
  private volatile Instant newestRemote;
  private volatile String lastError;

  public ArchivePusher(String dataset, ArchiveStore local, ArchiveStore remote, Clock clock) {
    this.dataset = dataset;
    this.local = local;
    this.remote = remote;
    this.clock = clock;
  }

  /** Queues a record the archiver has just written locally; never blocks on the off-site store. */
  public void submit(ArchiveStore.SegmentRecord r) {
    synchronized (lock) {
      pending.put(r.id(), r);
      if (newestLocal == null || r.sealedAt().isAfter(newestLocal)) {
        newestLocal = r.sealedAt();
      }
      lock.notifyAll();
    }
  }

  /** Asks the thread to stop after the copy under way; what is left is pushed after a restart. */
  public void stop() {
    stopping = true;
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** The newest {@code sealed_at} off-site, null before the first push or catch-up. */
  public Instant newestRemote() {
    return newestRemote;
  }

  /** Why the last push failed, null when the last one succeeded. */
  public String lastError() {
    return lastError;
  }

  /**
   * How far the off-site archive is behind the local one: the newest local seal minus the newest
   * off-site record's {@code sealed_at} (zero when everything sealed is off-site), null before the
   * first local seal is known.
   */
  public Duration lag() {
    Instant l = newestLocal;
    Instant r = newestRemote;
    if (l == null) {
      return null;
    }
    if (r == null) {
      return Duration.between(l, clock.instant()).isNegative()
          ? Duration.ZERO
          : Duration.between(l, clock.instant());
    }
    Duration d = Duration.between(r, l);
    return d.isNegative() ? Duration.ZERO : d;
  }

  @Override
  public void run() {
    Duration retry = FIRST_RETRY;
    while (!stopping) {
      try {
        if (!caughtUp) {
          catchUp();
          caughtUp = true;
        }
        List<ArchiveStore.SegmentRecord> batch;
        List<String> removeNow = new ArrayList<>();
        synchronized (lock) {
          while (pending.isEmpty() && removals.isEmpty() && !stopping) {
            lock.wait();
          }
          batch = new ArrayList<>(pending.values());
          if (batch.isEmpty()) {
            while (!removals.isEmpty() && removeNow.size() < REMOVALS_AT_ONCE) {
              removeNow.add(removals.peekFirst());
              removals.removeFirst();
            }
          }
        }
        if (!removeNow.isEmpty()) {
          removeCovered(removeNow);
          continue;
        }
        // fresh segments first, merged ones (older, larger) after them
        batch.sort(
            Comparator.comparing(ArchiveStore.SegmentRecord::merged)
                .thenComparing(ArchiveStore.SegmentRecord::timeline)
                .thenComparingLong(ArchiveStore.SegmentRecord::startOffset));
        boolean vanished = false;
        for (ArchiveStore.SegmentRecord r : batch) {
          if (stopping) {
            break;
          }
          try {
            push(r);
          } catch (Vanished e) {
            log.debug(
                "segment {}/{} is no longer in the local archive (compacted or pruned): not"
                    + " pushed",
                dataset,
                r.id());
            vanished = true;
          } catch (RedisOpsException e) {
            if (e.exitCode() != io.redisops.error.ExitCode.INTEGRITY) {
              throw e;
            }
            log.error("segment {}/{} not pushed off-site: {}", dataset, r.id(), e.getMessage());
          }
          synchronized (lock) {
            pending.remove(r.id(), r); // unless a newer record of it arrived meanwhile
          }
        }
        if (vanished) {
          caughtUp = false; // find the merged segment that holds it missing off-site
        }
        lastError = null;
        retry = FIRST_RETRY;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        log.warn(
            "off-site push of {}'s archive failed: {}; trying again in {} s",
            dataset,
            lastError,
            retry.toSeconds());
        caughtUp = false; // compare the listings again: the failure may have been anywhere
        synchronized (lock) {
          try {
            if (!stopping) {
              lock.wait(retry.toMillis());
            }
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
      }
    }
  }

  /** Deletes off-site objects a pushed merged segment holds; put back what failed. */
  private void removeCovered(List<String> keys) throws IOException {
    for (int i = 0; i < keys.size(); i++) {
      try {
        remote.repository().delete(keys.get(i));
      } catch (IOException | RuntimeException e) {
        synchronized (lock) {
          for (int j = keys.size() - 1; j >= i; j--) {
            removals.addFirst(keys.get(j));
          }
        }
        throw e;
      }
    }
  }

  /** A queued segment whose local record and content are gone (compacted or pruned). */
  private static final class Vanished extends IOException {
    private static final long serialVersionUID = 1L;

    Vanished(String what) {
      super(what);
    }
  }

  /**
   * Compares the local and off-site listings: every local record missing off-site (or whose newest
   * {@code sealed_at} has not reached it) is queued; leftovers of interrupted pushes are removed.
   */
  void catchUp() throws IOException {
    String prefix = ArchiveStore.datasetPrefix(dataset);
    int leftovers =
        remote.cleanupIncomplete(dataset)
            + remote.removeOrphanMerged(dataset)
            + remote.removeCovered(dataset);
    synchronized (lock) {
      removals.clear(); // removeCovered has just done them
    }
    if (leftovers > 0) {
      log.info("removed {} leftover(s) of interrupted off-site pushes of {}", leftovers, dataset);
    }
    Set<String> there = new HashSet<>();
    for (StoredObject o : remote.repository().list(prefix)) {
      there.add(o.key());
    }
    timelinesThere.clear();
    for (String t : remote.timelines(dataset)) {
      timelinesThere.add(t);
    }
    List<StoredObject> here = local.repository().list(prefix);
    List<String> missing = new ArrayList<>();
    for (StoredObject o : ArchiveStore.uncoveredRecords(here)) {
      if (!there.contains(o.key())) {
        missing.add(o.key());
      }
    }
    // The newest record of the newest timeline may have moved on ("touched") since it was pushed.
    Instant remoteNewest = null;
    List<String> timelines = remote.timelines(dataset);
    if (!timelines.isEmpty()) {
      var last = remote.lastOf(dataset, timelines.get(timelines.size() - 1));
      if (last.isPresent()) {
        remoteNewest = last.get().sealedAt();
      }
    }
    List<ArchiveStore.SegmentRecord> queue = new ArrayList<>();
    for (String key : missing) {
      try {
        queue.add(local.readRecord(key));
      } catch (java.nio.file.NoSuchFileException e) {
        // compacted or pruned since the listing
      }
    }
    List<String> localTimelines = local.timelines(dataset);
    if (!localTimelines.isEmpty()) {
      var newest = local.lastOf(dataset, localTimelines.get(localTimelines.size() - 1));
      // Only when its record is in the off-site listing taken above: one sealed since then (the
      // archiver runs meanwhile) has no content off-site yet, and is pushed whole when submitted.
      if (newest.isPresent()
          && (remoteNewest == null || newest.get().sealedAt().isAfter(remoteNewest))
          && there.contains(ArchiveStore.recordKey(newest.get()))) {
        queue.add(newest.get()); // its record is there, older: only the record is written again
        contentThere.put(newest.get().id(), newest.get().endOffset());
      }
    }
    newestRemote = remoteNewest;
    synchronized (lock) {
      for (ArchiveStore.SegmentRecord r : queue) {
        pending.putIfAbsent(r.id(), r);
        if (newestLocal == null || r.sealedAt().isAfter(newestLocal)) {
          newestLocal = r.sealedAt();
        }
      }
    }
    if (!queue.isEmpty()) {
      log.info("{} segment record(s) of {}'s archive to push off-site", queue.size(), dataset);
    }
  }

  /** Copies one segment (content, then record) off-site. */
  void push(ArchiveStore.SegmentRecord r) throws IOException {
    if (!timelinesThere.contains(r.timeline())) {
      String key = ArchiveStore.timelineKey(dataset, r.timeline());
      try (InputStream in = local.repository().read(key)) {
        byte[] json = in.readAllBytes();
        remote.repository().write(key, out -> out.write(json));
      }
      timelinesThere.add(r.timeline());
    }
    ObjectEncryption enc = remote.encryption();
    ArchiveStore.SegmentRecord stored =
        enc.key().isPresent()
            ? r.encryptedAs(
                r.object() + ObjectEncryption.SUFFIX, EncryptionKey.ALGORITHM, enc.key().get().id())
            : r;
    Long there = contentThere.get(r.id());
    if (there == null || there != r.endOffset()) {
      copyContent(r, stored, enc);
      contentThere.put(r.id(), r.endOffset());
    }
    // The record last: from now on the segment is listed off-site.
    remote.writeRecord(stored);
    if (r.merged()) {
      List<String> covered =
          remote.coveredKeys(
              dataset,
              r.timeline(),
              new ArchiveStore.Stem(ArchiveStore.stem(r), r.startOffset(), r.endOffset()));
      synchronized (lock) {
        removals.addAll(covered);
      }
    }
    Instant n = newestRemote;
    if (n == null || r.sealedAt().isAfter(n)) {
      newestRemote = r.sealedAt();
    }
  }

  private void copyContent(
      ArchiveStore.SegmentRecord r, ArchiveStore.SegmentRecord stored, ObjectEncryption enc)
      throws IOException {
    InputStream local;
    try {
      local = this.local.repository().read(ArchiveStore.contentKey(r));
    } catch (java.nio.file.NoSuchFileException e) {
      if (!exists(ArchiveStore.recordKey(r))) {
        throw new Vanished(r.id());
      }
      throw e;
    }
    try (InputStream in = local) {
      copyContent(r, stored, enc, in);
    }
  }

  private boolean exists(String key) throws IOException {
    InputStream in;
    try {
      in = local.repository().read(key);
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
    in.close();
    return true;
  }

  private void copyContent(
      ArchiveStore.SegmentRecord r,
      ArchiveStore.SegmentRecord stored,
      ObjectEncryption enc,
      InputStream in)
      throws IOException {
    remote
        .repository()
        .write(
            ArchiveStore.contentKey(stored),
            out -> {
              OutputStream target =
                  enc.encrypt(
                      new NonClosingOutputStream(
                          out)); // the repository ends the upload, not the encryptor
              TappedInputStream source =
                  new TappedInputStream(in, Hex.sha256(), target, ProgressListener.NONE);
              source.drain();
              target.close();
              String sha256 = source.hex();
              if (source.count() != r.storedSize() || !sha256.equals(r.storedSha256())) {
                // Thrown inside the body: the upload is dropped, a damaged segment is not copied.
                throw RedisOpsException.integrity(
                    "local segment "
                        + dataset
                        + "/"
                        + r.id()
                        + " fails its checksum (SHA-256 "
                        + sha256
                        + ", "
                        + source.count()
                        + " bytes; its record says "
                        + r.storedSha256()
                        + ", "
                        + r.storedSize()
                        + " bytes); not pushed off-site");
              }
            });
  }
}
