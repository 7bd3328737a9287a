package io.redisops.storage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link Repository} held in memory, for tests of code that stores objects and does not care
 * where (catalog, retention, selection). It keeps the contract {@link RepositoryContract} checks
 * for every driver: keys are validated, a write that fails leaves the previous object, listings are
 * sorted. It has no {@link Repository.Capability#LOCAL_FILES}, like S3.
 */
public final class InMemoryRepository implements Repository {

  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed, only read back
  private record Entry(byte[] bytes, Instant lastModified) {}

  private final Map<String, Entry> objects = new ConcurrentSkipListMap<>();
  private final Clock clock;

  public InMemoryRepository() {
    this(Clock.systemUTC());
  }

  public InMemoryRepository(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String describe() {
    return "memory";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public List<StoredObject> list(String prefix) {
    List<StoredObject> found = new ArrayList<>();
    objects.forEach(
        (key, e) -> {
          if (key.startsWith(prefix)) {
            found.add(new StoredObject(key, e.bytes().length, e.lastModified()));
          }
        });
    return found;
  }

  @Override
  public InputStream read(String key) throws IOException {
    Keys.check(key);
    Entry e = objects.get(key);
    if (e == null) {
      throw new NoSuchFileException(key);
    }
    return new ByteArrayInputStream(e.bytes());
  }

  @Override
  public StoredObject write(String key, BodyWriter body) throws IOException {
    Keys.check(key);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.writeTo(out);
    Entry e = new Entry(out.toByteArray(), clock.instant());
    objects.put(key, e);
    return new StoredObject(key, e.bytes().length, e.lastModified());
  }

  @Override
  public void delete(String key) {
    Keys.check(key);
    objects.remove(key);
  }

  @Override
  public int cleanupIncomplete(String prefix) {
    return 0; // a write is complete or absent: nothing is left behind
  }
}
