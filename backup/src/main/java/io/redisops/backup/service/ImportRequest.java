package io.redisops.backup.service;

import io.redisops.backup.catalog.Tier;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Existing RDB copies to bring into a dataset's catalog.
 *
 * @param paths RDB files, or folders searched recursively for {@code *.rdb}
 * @param tier the tier of every copy, or empty for {@code auto} (from the crontab folder layout,
 *     see {@link ImportLayout})
 */
public record ImportRequest(String dataset, List<Path> paths, Optional<Tier> tier) {
  public ImportRequest {
    paths = List.copyOf(paths);
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("an import needs at least one path");
    }
  }
}
