package io.redisops.backup.catalog;

import io.redisops.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore drills of one dataset's backups: each backup's newest {@link DrillRecord}, kept as
 * {@code <dataset>/<backup-id>/drill.json} beside the manifest. The manifest is never touched, so
 * its checksums stay the evidence of what was captured; deleting a backup deletes its record.
 */
public final class DrillLog {
  private static final Logger log = LoggerFactory.getLogger(DrillLog.class);

  /** Newest drill first. */
  public static final Comparator<DrillRecord> NEWEST_FIRST =
      Comparator.comparing(
              DrillRecord::finishedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(DrillRecord::backupId)
          .reversed();

  private final BackupCatalog catalog;

  public DrillLog(BackupCatalog catalog) {
    this.catalog = catalog;
  }

  /** Records a drill of a backup, replacing that backup's previous record. */
  public void record(DrillRecord drill) throws IOException {
    byte[] json = ManifestCodec.mapper().writeValueAsBytes(drill);
    catalog.repository().write(key(drill.backupId()), out -> out.write(json));
  }

  /**
   * The newest drill of one backup, if it was ever drilled (an unreadable record counts as none).
   */
  public Optional<DrillRecord> find(String backupId) throws IOException {
    try (InputStream in = catalog.repository().read(key(backupId))) {
      return Optional.of(read(in));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      log.warn(
          "the drill record {} cannot be read and is ignored: {}",
          key(backupId),
          e.getOriginalMessage());
      return Optional.empty();
    }
  }

  /**
   * The newest drill of every backup that has one, by backup id (one listing of the dataset, then
   * one read per record).
   */
  public Map<String, DrillRecord> all() throws IOException {
    Map<String, DrillRecord> out = new LinkedHashMap<>();
    String root = catalog.dataset() + "/";
    for (StoredObject o : catalog.repository().list(root)) {
      String[] parts = o.key().substring(root.length()).split("/");
      if (parts.length == 2 && parts[1].equals(DrillRecord.FILE_NAME)) {
        find(parts[0]).ifPresent(d -> out.put(parts[0], d));
      }
    }
    return out;
  }

  /** The dataset's newest drill of any backup (what {@code info} and {@code /health} look at). */
  public Optional<DrillRecord> newest() throws IOException {
    return all().values().stream().min(NEWEST_FIRST);
  }

  private String key(String backupId) {
    return catalog.objectKey(backupId, DrillRecord.FILE_NAME);
  }

  private static DrillRecord read(InputStream in) throws IOException {
    return ManifestCodec.mapper().readValue(in, DrillRecord.class);
  }
}
