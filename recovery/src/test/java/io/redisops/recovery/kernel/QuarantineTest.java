package io.redisops.recovery.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineTest {
  private static final Clock AT =
      Clock.fixed(Instant.parse("2026-12-01T10:15:00Z"), ZoneOffset.UTC);

  @TempDir Path data;

  @Test
  void restoreAndTheAofToolsShareOneLayoutNamedByTimeAndPurpose() throws Exception {
    Path restore = Quarantine.folderFor(data, AT, "restore");
    Path repair = Quarantine.folderFor(data, AT, "repair");
    Path undo = Quarantine.folderFor(data, AT, "undo-flushall");
    assertThat(List.of(restore, repair, undo))
        .extracting(Path::getParent)
        .containsOnly(data.resolve("redis-ops-quarantine"));
    assertThat(restore.getFileName()).hasToString("20261201T101500Z-restore");
    assertThat(repair.getFileName()).hasToString("20261201T101500Z-repair");
    assertThat(undo.getFileName()).hasToString("20261201T101500Z-undo-flushall");
    Quarantine.create(restore);
    assertThat(Quarantine.folderFor(data, AT, "restore").getFileName())
        .hasToString("20261201T101500Z-restore-2");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(restore)))
        .isEqualTo("rwx------");
  }

  @Test
  void movedInFilesGoBackAndAnEmptyQuarantineDisappears() throws Exception {
    Path rdb = Files.writeString(data.resolve("dump.rdb"), "original");
    Path folder = Quarantine.folderFor(data, AT, "restore");
    Quarantine.create(folder);
    assertThat(Quarantine.moveIn(folder, rdb)).isEqualTo("dump.rdb");
    assertThat(Quarantine.moveIn(folder, rdb)).isEqualTo("dump.rdb (already)");
    Files.writeString(rdb, "restored");
    Quarantine.moveBack(folder, rdb);
    assertThat(rdb).hasContent("original");
    Quarantine.removeIfEmpty(folder);
    assertThat(data.resolve(Quarantine.FOLDER)).doesNotExist();
  }

  @Test
  void copiesAreCheckedAndPutBackOverAnEditedOriginal() throws Exception {
    Path aofDir = Files.createDirectory(data.resolve("appendonlydir"));
    Path incr =
        Files.writeString(aofDir.resolve("appendonly.aof.1.incr.aof"), "*1\r\n$8\r\nFLUSHALL\r\n");
    Path folder = Quarantine.folderFor(data, AT, "undo-flushall");
    assertThat(Quarantine.copyIn(folder, aofDir))
        .containsExactly(Path.of("appendonlydir/appendonly.aof.1.incr.aof"));
    Path copy = folder.resolve("appendonlydir/appendonly.aof.1.incr.aof");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
        .isEqualTo("rw-------");
    Files.writeString(incr, "");
    Quarantine.putBack(copy, incr);
    assertThat(Quarantine.sha256(incr)).isEqualTo(Quarantine.sha256(copy));
  }
}
