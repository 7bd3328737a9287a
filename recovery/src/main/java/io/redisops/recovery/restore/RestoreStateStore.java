package io.redisops.recovery.restore;

import io.redisops.recovery.kernel.StateStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The state file of a dataset's restore: {@code <lock folder>/<dataset>/.restore-state.json},
 * written atomically.
 */
public final class RestoreStateStore {
  static final String FILE_NAME = ".restore-state.json";
  private final StateStore<RestoreState> store;

  public RestoreStateStore(Path lockDir, String dataset) {
    this.store =
        new StateStore<>(
            lockDir.resolve(dataset).resolve(FILE_NAME), RestoreState.class, "restore");
  }

  public Path file() {
    return store.file();
  }

  /** The state of an interrupted restore, if there is one. */
  public Optional<RestoreState> load() {
    return store.load();
  }

  void save(RestoreState state) {
    store.save(state);
  }

  void delete() {
    store.delete();
  }
}
