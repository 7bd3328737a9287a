package io.redisops.backup.catalog;

import io.redisops.error.RedisOpsException;
import io.redisops.storage.Repository;
import io.redisops.storage.StoredObject;
import io.redisops.time.TimeFormats;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backups of one dataset in one repository: {@code <dataset>/<backup-id>/...}. A backup is
 * complete exactly when its {@code manifest.json} exists; anything else under a backup id is the
 * leftover of an interrupted run.
 */
public final class BackupCatalog {
  private static final Logger log = LoggerFactory.getLogger(BackupCatalog.class);
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final DateTimeFormatter ID_FORMAT = TimeFormats.STAMP;

  /** Newest first by snapshot time, then id: the order of "latest". */
  public static final Comparator<Manifest> NEWEST_FIRST =
      Comparator.comparing(Manifest::snapshotTime).thenComparing(Manifest::id).reversed();

  private final Repository repository;
  private final String dataset;

  public BackupCatalog(Repository repository, String dataset) {
    this.repository = repository;
    this.dataset = checkDataset(dataset);
  }

  /** The error for an id this dataset does not have (exit 4), naming where it was looked for. */
  public RedisOpsException noSuchBackup(String id) {
    return RedisOpsException.notFound(
        "no backup '"
            + id
            + "' of dataset "
            + dataset
            + " in "
            + repository.describe()
            + otherDatasets()
            + "; see 'redis-ops list'");
  }

  /**
   * "no backups of DATASET in REPOSITORY", and when the repository holds backups of other datasets,
   * which ones: a dataset named on the command line that has none is most often a wrong name.
   *
   * @param purpose what they were wanted for, e.g. {@code " to verify"}, or empty
   */
  public String noBackups(String purpose) {
    return "no backups of " + dataset + " in " + repository.describe() + purpose + otherDatasets();
  }

  /** "; it holds backups of a, b (...)" when other datasets have backups here, else "". */
  private String otherDatasets() {
    List<String> others;
    try {
      others = datasets(repository).stream().filter(n -> !n.equals(dataset)).toList();
    } catch (IOException e) {
      return "";
    }
    return others.isEmpty()
        ? ""
        : "; it holds backups of "
            + String.join(", ", others)
            + " (choose one with --dataset NAME, or give neither --dataset nor --redis for all)";
  }

  /** Refuses dataset names that could not be a folder name or that could escape the repository. */
  public static String checkDataset(String name) {
    if (name == null || !DATASET.matcher(name).matches()) {
      throw RedisOpsException.usage(
          "dataset name '" + name + "' is not valid; use letters, digits, '.', '_' and '-'");
    }
    return name;
  }

  public String dataset() {
    return dataset;
  }

  public Repository repository() {
    return repository;
  }

  /**
   * Marks a backup that {@code verify} found damaged. Beside the manifest, so the manifest and its
   * checksums stay as they were written (the evidence), and deleted with the backup.
   */
  public static final String BAD_MARKER = "known-bad.json";

  /**
   * A backup folder with a manifest that cannot be used, and why. Such a backup is never read,
   * restored or pruned.
   */
  public record Unusable(String id, String problem) {}

  /**
   * The whole catalog: usable backups newest first, unusable ones by id, and the ids of usable
   * backups that a verification found bad.
   */
  public record Scan(List<Manifest> usable, List<Unusable> unusable, Set<String> knownBad) {
    public boolean isKnownBad(Manifest m) {
      return knownBad.contains(m.id());
    }
  }

  /**
   * Every complete, usable backup, newest first. An unusable one is reported in the log and left
   * out.
   */
  public List<Manifest> list() throws IOException {
    return scan().usable();
  }

  /**
   * Every backup folder that has a manifest: the usable ones, the unusable ones with their problem,
   * the known bad.
   */
  public Scan scan() throws IOException {
    List<Manifest> usable = new ArrayList<>();
    List<Unusable> unusable = new ArrayList<>();
    Set<String> bad = new TreeSet<>();
    for (Map.Entry<String, List<StoredObject>> e : idsWithObjects().entrySet()) {
      List<StoredObject> objects = e.getValue();
      if (objects.stream().noneMatch(o -> o.name().equals(Manifest.FILE_NAME))) {
        continue;
      }
      Entry entry = entry(e.getKey(), objects);
      if (entry.manifest() != null) {
        usable.add(entry.manifest());
        if (objects.stream().anyMatch(o -> o.name().equals(BAD_MARKER))) {
          bad.add(e.getKey());
        }
      } else {
        log.warn("backup {}/{} is unusable and left out: {}", dataset, e.getKey(), entry.problem());
        unusable.add(new Unusable(e.getKey(), entry.problem()));
      }
    }
    usable.sort(NEWEST_FIRST);
    return new Scan(List.copyOf(usable), List.copyOf(unusable), Set.copyOf(bad));
  }

  /** The complete, usable backup with this id. */
  public Optional<Manifest> find(String id) throws IOException {
    return Optional.ofNullable(lookup(id).manifest());
  }

  /**
   * The backup with this id: its manifest when usable, else the problem (null for both when there
   * is no backup folder with a manifest under this id).
   */
  public Entry lookup(String id) throws IOException {
    if (id == null || id.contains("/") || id.contains("\\") || id.isBlank() || id.startsWith(".")) {
      return new Entry(null, null);
    }
    List<StoredObject> objects = repository.list(prefix(id));
    if (objects.stream().noneMatch(o -> o.name().equals(Manifest.FILE_NAME))) {
      return new Entry(null, null);
    }
    return entry(id, objects);
  }

  /** A usable manifest, or why the backup cannot be used (both null: no such backup). */
  public record Entry(Manifest manifest, String problem) {
    public boolean exists() {
      return manifest != null || problem != null;
    }
  }

  /** Records that a verification found this backup bad, with the problems found. */
  public void markBad(String id, List<String> problems, Instant at) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("id", id);
    doc.put("found_at", at.toString());
    doc.put("problems", problems);
    byte[] json = ManifestCodec.mapper().writeValueAsBytes(doc);
    repository.write(objectKey(id, BAD_MARKER), out -> out.write(json));
  }

  /** Whether a verification marked this backup bad. */
  public boolean isMarkedBad(String id) throws IOException {
    return repository.list(prefix(id)).stream().anyMatch(o -> o.name().equals(BAD_MARKER));
  }

  /** Removes the bad mark of a backup that verified intact again (it was repaired by hand). */
  public void clearBad(String id) throws IOException {
    repository.delete(objectKey(id, BAD_MARKER));
  }

  /** Backup ids that have objects but no manifest: interrupted runs. */
  public List<String> incompleteIds() throws IOException {
    List<String> out = new ArrayList<>();
    idsWithObjects()
        .forEach(
            (id, objects) -> {
              if (objects.stream().noneMatch(o -> o.name().equals(Manifest.FILE_NAME))) {
                out.add(id);
              }
            });
    return out;
  }

  /**
   * Removes the leftovers of interrupted backups: temporary objects and backups without a manifest.
   * Hold the dataset's lock while calling this: a backup being written has no manifest yet either.
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

  /**
   * A new backup id for a snapshot taken at {@code time}: UTC seconds, plus {@code -2}, {@code
   * -3}... when taken.
   */
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
    if (m.object() == null || !isPlainName(m.object())) {
      throw RedisOpsException.integrity(
          "backup "
              + dataset
              + "/"
              + m.id()
              + " is unusable: its manifest names the object '"
              + m.object()
              + "', which is not a file of the backup's folder");
    }
    return repository.read(objectKey(m.id(), m.object()));
  }

  /**
   * Removes every object of a backup that never got its manifest (its manifest write failed): at
   * once, rather than leaving the data for the next backup's cleanup.
   */
  public void discard(String id) throws IOException {
    for (StoredObject o : repository.list(prefix(id))) {
      repository.delete(o.key());
    }
  }

  /**
   * Deletes a backup: the manifest first, so that a half-deleted backup is never listed, then the
   * rest.
   */
  public void delete(Manifest m) throws IOException {
    delete(m.id());
  }

  /**
   * Deletes the backup with this id, usable or not, as {@link #delete(Manifest)} does. Only what
   * lies in the backup's own folder is touched, whatever its manifest says.
   */
  public void delete(String id) throws IOException {
    if (!lookup(id).exists() && incompleteIds().stream().noneMatch(id::equals)) {
      return;
    }
    repository.delete(manifestKey(id));
    for (StoredObject o : repository.list(prefix(id))) {
      repository.delete(o.key());
    }
  }

  private String prefix(String id) {
    return dataset + "/" + id + "/";
  }

  /** Reads and checks the manifest of backup {@code id}, whose folder holds {@code objects}. */
  private Entry entry(String id, List<StoredObject> objects) throws IOException {
    Manifest m;
    try (InputStream in = repository.read(manifestKey(id))) {
      m = ManifestCodec.fromJson(in);
    } catch (java.nio.file.NoSuchFileException e) {
      return new Entry(null, null);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      return new Entry(
          null,
          "its manifest "
              + manifestKey(id)
              + " cannot be read ("
              + firstLine(e.getOriginalMessage())
              + "): it is damaged or truncated");
    }
    String problem = problem(m, id, objects);
    return problem == null ? new Entry(m, null) : new Entry(null, problem);
  }

  /**
   * What makes a parsed manifest unusable (fields that sorting, retention and deletion rely on), or
   * null.
   */
  private String problem(Manifest m, String id, List<StoredObject> objects) {
    if (m == null
        || m.id() == null
        || m.snapshotTime() == null
        || m.tiers() == null
        || m.object() == null) {
      return "its manifest " + manifestKey(id) + " lacks id, snapshot_time, tiers or object";
    }
    if (!m.id().equals(id)) {
      return "its manifest names backup '" + m.id() + "' but lies in folder '" + id + "'";
    }
    if (!isPlainName(m.object())) {
      // A manifest is data, not a path: it must never lead redis-ops outside the backup's own
      // folder.
      return "its manifest names the object '"
          + m.object()
          + "', which is not a file of the backup's folder";
    }
    if (objects.stream().noneMatch(o -> o.name().equals(m.object()))) {
      return "its data file " + objectKey(id, m.object()) + " is missing";
    }
    return null;
  }

  private static boolean isPlainName(String name) {
    return !name.isEmpty()
        && !name.contains("/")
        && !name.contains("\\")
        && !name.startsWith(".")
        && !name.equals(Manifest.FILE_NAME)
        && !name.equals(BAD_MARKER)
        && !name.equals(DrillRecord.FILE_NAME)
        && name.indexOf('\0') < 0;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable JSON";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
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

  /**
   * Names of the datasets present in a repository (folders holding at least one complete backup).
   */
  public static List<String> datasets(Repository repository) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    // folder by folder: a listing of the whole repository would go through every segment of the
    // point-in-time archive (_archive/, never a dataset: a dataset's name never starts with '_')
    for (String folder : repository.folders("")) {
      if (folder.startsWith("_")) {
        continue;
      }
      for (StoredObject o : repository.list(folder + "/")) {
        String[] parts = o.key().split("/");
        if (parts.length == 3 && parts[2].equals(Manifest.FILE_NAME)) {
          names.add(parts[0]);
          break;
        }
      }
    }
    return List.copyOf(names);
  }
}
