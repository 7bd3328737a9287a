package io.redisops.recovery.restore;

import io.redisops.backup.archive.ArchiveReader;
import java.util.List;
import java.util.Optional;

/**
 * The point-in-time archives a restore may read, in the order they are tried ({@code --from auto}:
 * the local archive, then the off-site one; {@code --from offsite}: the off-site one alone).
 */
public record ArchiveSources(List<Source> sources) {
  public static final ArchiveSources NONE = new ArchiveSources(List.of());

  /** One archive: where it is ({@code local}, {@code offsite}) and its reader. */
  public record Source(String where, ArchiveReader reader) {}

  public ArchiveSources {
    sources = List.copyOf(sources);
  }

  public static ArchiveSources of(String where, ArchiveReader reader) {
    return new ArchiveSources(List.of(new Source(where, reader)));
  }

  public boolean isEmpty() {
    return sources.isEmpty();
  }

  Optional<Source> named(String where) {
    return sources.stream().filter(s -> s.where().equals(where)).findFirst();
  }
}
