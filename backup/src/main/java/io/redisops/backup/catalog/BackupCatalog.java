package io.redisops.backup.catalog;

import io.redisops.backup.storage.Repository;
import io.redisops.backup.storage.StoredObject;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backups of one dataset in one repository: {@code <dataset>/<backup-id>/...}. A backup is complete exactly when
 * its {@code manifest.json} exists; anything else under a backup id is the leftover of an interrupted run.
 */
public final class BackupCatalog {
  private static final Logger log = LoggerFactory.getLogger(BackupCatalog.class);
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final DateTimeFormatter ID_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** Newest first by snapshot time, then id: the order of "latest". */
  public static final Comparator<Manifest> NEWEST_FIRST =
      Comparator.comparing(Manifest::snapshotTime).thenComparing(Manifest::id).reversed();

  private final Repository repository;
  private final String dataset;

  public BackupCatalog(Repository repository, String dataset) {
    this.repository = repository;
    this.dataset = checkDataset(dataset);
  }

  /** Refuses dataset names that could not be a folder name or that could escape the repository. */
  public static String checkDataset(String name) {
    if (name == null || !DATASET.matcher(name).matches()) {
      throw RedisOpsException.usage("dataset name '" + name + "' is not valid; use letters, digits, '.', '_' and '-'");
    }
    return name;
  }

  public String dataset() {
    return dataset;
  }

  public Repository repository() {
    return repository;
  }

  /** Every complete backup, newest first. A manifest that cannot be read is reported in the log and left out. */
  public List<Manifest> list() throws IOException {
    List<Manifest> out = new ArrayList<>();
    for (Map.Entry<String, List<StoredObject>> e : idsWithObjects().entrySet()) {
      if (e.getValue().stream().anyMatch(o -> o.name().equals(Manifest.FILE_NAME))) {
        readManifest(e.getKey()).ifPresent(out::add);
      }
    }
    out.sort(NEWEST_FIRST);
    return out;
  }

  /** The complete backup with this id. */
  public Optional<Manifest> find(String id) throws IOException {
    if (id == null || id.contains("/") || id.isBlank() || id.startsWith(".")) {
      return Optional.empty();
    }
    return readManifest(id);
  }

  /** Backup ids that have objects but no manifest: interrupted runs. */
  public List<String> incompleteIds() throws IOException {
    List<String> out = new ArrayList<>();
    idsWithObjects().forEach((id, objects) -> {
      if (objects.stream().noneMatch(o -> o.name().equals(Manifest.FILE_NAME))) {
        out.add(id);
      }
    });
    return out;
  }

  /**
   * Removes the leftovers of interrupted backups: temporary objects and backups without a manifest. Hold the
   * dataset's lock while calling this: a backup being written has no manifest yet either.
   *
   * @return how many leftovers were removed
   */
  public int cleanupIncomplete() throws IOException {
    int removed = repository.cleanupIncomplete(dataset + "/");
    for (String id : incompleteIds()) {
      for (StoredObject o : repository.list(prefix(id))) {
        repository.delete(o.key());
      }
      log.info("removed the incomplete backup {}/{} left by an interrupted run", dataset, id);
      removed++;
    }
    return removed;
  }

  /** A new backup id for a snapshot taken at {@code time}: UTC seconds, plus {@code -2}, {@code -3}... when taken. */
  public String newId(Instant time) throws IOException {
    String base = ID_FORMAT.format(time);
    Map<String, List<StoredObject>> existing = idsWithObjects();
    if (!existing.containsKey(base)) {
      return base;
    }
    for (int i = 2; ; i++) {
      String candidate = base + "-" + i;
      if (!existing.containsKey(candidate)) {
        return candidate;
      }
    }
  }

  public String objectKey(String id, String objectName) {
    return prefix(id) + objectName;
  }

  public String manifestKey(String id) {
    return objectKey(id, Manifest.FILE_NAME);
  }

  /** Writes the manifest, which makes the backup complete. Call it last. */
  public void saveManifest(Manifest m) throws IOException {
    byte[] json = ManifestCodec.toJson(m);
    repository.write(manifestKey(m.id()), out -> out.write(json));
  }

  /** Opens the stored (compressed, possibly encrypted) object of a backup. */
  public InputStream openObject(Manifest m) throws IOException {
    return repository.read(objectKey(m.id(), m.object()));
  }

  /** Deletes a backup: the manifest first, so that a half-deleted backup is never listed, then the rest. */
  public void delete(Manifest m) throws IOException {
    repository.delete(manifestKey(m.id()));
    for (StoredObject o : repository.list(prefix(m.id()))) {
      repository.delete(o.key());
    }
  }

  private String prefix(String id) {
    return dataset + "/" + id + "/";
  }

  private Optional<Manifest> readManifest(String id) throws IOException {
    try (InputStream in = repository.read(manifestKey(id))) {
      Manifest m = ManifestCodec.fromJson(in);
      String problem = problem(m, id);
      if (problem != null) {
        log.warn("unable to use manifest '{}': {}", manifestKey(id), problem);
        return Optional.empty();
      }
      return Optional.of(m);
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      log.warn("unable to read manifest '{}': {}", manifestKey(id), e.getOriginalMessage());
      return Optional.empty();
    }
  }

  /** What makes a parsed manifest unusable (fields that sorting, retention and deletion rely on), or null. */
  private static String problem(Manifest m, String id) {
    if (m == null || m.id() == null || m.snapshotTime() == null || m.tiers() == null || m.object() == null) {
      return "id, snapshot_time, tiers or object is missing";
    }
    if (!m.id().equals(id)) {
      return "it names backup '" + m.id() + "' but lies in folder '" + id + "'";
    }
    return null;
  }

  private Map<String, List<StoredObject>> idsWithObjects() throws IOException {
    Map<String, List<StoredObject>> byId = new LinkedHashMap<>();
    String root = dataset + "/";
    for (StoredObject o : repository.list(root)) {
      String rest = o.key().substring(root.length());
      int slash = rest.indexOf('/');
      if (slash > 0) {
        byId.computeIfAbsent(rest.substring(0, slash), k -> new ArrayList<>()).add(o);
      }
    }
    return byId;
  }

  /** Names of the datasets present in a repository (folders holding at least one complete backup). */
  public static List<String> datasets(Repository repository) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    for (StoredObject o : repository.list("")) {
      String[] parts = o.key().split("/");
      if (parts.length == 3 && parts[2].equals(Manifest.FILE_NAME)) {
        names.add(parts[0]);
      }
    }
    return List.copyOf(names);
  }
}
