package io.redisops.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartsInFlightTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void theBuffersOfAMultipartUploadTakeAnEighthOfTheHeapAtMost() {
    // -Xmx128m: 16 MiB for buffers, two of 8 MiB: one in flight, one filling
    assertThat(S3Repository.partsInFlight(128 * MIB)).isEqualTo(1);
    assertThat(S3Repository.partsInFlight(256 * MIB)).isEqualTo(3);
    assertThat(S3Repository.partsInFlight(320 * MIB)).isEqualTo(S3Repository.PARALLEL_PARTS);
    assertThat(S3Repository.partsInFlight(6 * 1024 * MIB)).isEqualTo(S3Repository.PARALLEL_PARTS);
    for (long heap = MIB; heap <= 1024 * MIB; heap += 7 * MIB) {
      int n = S3Repository.partsInFlight(heap);
      assertThat(n).isBetween(1, S3Repository.PARALLEL_PARTS);
      if (n > 1) {
        assertThat((n + 1) * (long) S3Repository.PART_SIZE).isLessThanOrEqualTo(heap / 8);
      }
    }
  }

  @Test
  void aTinyHeapStillUploadsOnePartAtATime() {
    assertThat(S3Repository.partsInFlight(0)).isEqualTo(1);
    assertThat(S3Repository.partsInFlight(32 * MIB)).isEqualTo(1);
  }
}
