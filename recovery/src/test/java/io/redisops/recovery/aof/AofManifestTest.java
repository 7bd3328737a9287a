package io.redisops.recovery.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AofManifestTest {
  @TempDir Path tmp;

  @Test
  void loadOrderIsBaseThenIncrBySeqWithoutHistory() throws IOException {
    Path m = tmp.resolve("appendonly.aof.manifest");
    Files.writeString(
        m,
        """
        file appendonly.aof.2.base.rdb seq 2 type b
        file appendonly.aof.1.incr.aof seq 1 type h
        file appendonly.aof.3.incr.aof seq 3 type i
        file "my aof.2.incr.aof" seq 2 type i
        """);
    assertThat(AofManifest.read(m).loaded())
        .extracting(AofFile::name)
        .containsExactly(
            "appendonly.aof.2.base.rdb", "my aof.2.incr.aof", "appendonly.aof.3.incr.aof");
  }

  @Test
  void aMalformedLineIsAnIntegrityError() throws IOException {
    Path m = tmp.resolve("appendonly.aof.manifest");
    Files.writeString(m, "file ../x seq 1 type b\n");
    assertThatThrownBy(() -> AofManifest.read(m))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("line 1");
  }
}
