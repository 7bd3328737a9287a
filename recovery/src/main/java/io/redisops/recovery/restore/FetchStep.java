package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.nio.file.Files;

/** Step 1: fetch the backup and verify every checksum while Redis still serves its current data. */
final class FetchStep implements RestoreStep {
  static final String NAME = "fetch";

  private final RestoreRun run;

  FetchStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String describe() {
    Manifest m = run.backup();
    return "fetch backup "
        + m.id()
        + " (snapshot "
        + m.snapshotTime()
        + ", "
        + m.describeTotalKeys()
        + " keys, RDB "
        + Sizes.human(m.rawSize())
        + ", RDB version "
        + m.rdbVersion()
        + ") from "
        + run.sources().from().id()
        + " into "
        + run.staging()
        + ", checking SHA-256, CRC64, size and key count against its manifest";
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    String where =
        r.sources().fetch(r.dataset(), r.backup(), r.staging(), r.progress(), r.notices());
    return "verified the "
        + where
        + " copy: SHA-256 "
        + r.backup().rawSha256().substring(0, 16)
        + "..., "
        + r.backup().describeTotalKeys()
        + " keys";
  }

  @Override
  public void undo(RestoreRun r) throws IOException {
    Files.deleteIfExists(r.staging());
  }
}
