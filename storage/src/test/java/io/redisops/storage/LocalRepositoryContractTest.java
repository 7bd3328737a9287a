package io.redisops.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalRepositoryContractTest extends RepositoryContract {
  @TempDir Path dir;

  @Override
  protected Repository repository() {
    return new LocalRepository(dir.resolve("repo"));
  }
}
