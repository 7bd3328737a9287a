package io.redisops.recovery.aof;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Output as printed by redis-check-aof 7.0.15 on this machine (docs/redis-facts.md, "The AOF and
 * redis-check-aof").
 */
class CheckAofOutputTest {

  @Test
  void valid() {
    CheckAofOutput o =
        CheckAofOutput.parse(
            new CheckAofTool.Output(
                0,
                """
        Start checking Multi Part AOF
        Start to check BASE AOF (RDB format).
        [offset 0] Checking RDB file appendonly.aof.1.base.rdb
        [offset 89] \\o/ RDB looks OK! \\o/
        RDB preamble is OK, proceeding with AOF tail...
        AOF analyzed: filename=appendonly.aof.1.base.rdb, size=89, ok_up_to=89, ok_up_to_line=1, diff=0
        BASE AOF appendonly.aof.1.base.rdb is valid
        Start to check INCR files.
        AOF analyzed: filename=appendonly.aof.1.incr.aof, size=213, ok_up_to=213, ok_up_to_line=46, diff=0
        INCR AOF appendonly.aof.1.incr.aof is valid
        All AOF files and manifest are valid
        """));
    assertThat(o.allValid()).isTrue();
    assertThat(o.analyzed()).containsKeys("appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof");
    assertThat(o.badRdb()).isNull();
  }

  @Test
  void damagedIncr() {
    CheckAofOutput o =
        CheckAofOutput.parse(
            new CheckAofTool.Output(
                1,
                """
        Start to check INCR files.
        0x              3c: Expected prefix '$', got: 'X'
        AOF analyzed: filename=appendonly.aof.1.incr.aof, size=213, ok_up_to=39, ok_up_to_line=11, diff=174
        Failed to truncate AOF appendonly.aof.1.incr.aof because it is not the last file
        """));
    assertThat(o.allValid()).isFalse();
    assertThat(o.analyzed().get("appendonly.aof.1.incr.aof"))
        .isEqualTo(new CheckAofOutput.Analyzed("appendonly.aof.1.incr.aof", 213, 39, 11, 174));
    assertThat(o.notLast()).isEqualTo("appendonly.aof.1.incr.aof");
  }

  @Test
  void damagedBase() {
    CheckAofOutput o =
        CheckAofOutput.parse(
            new CheckAofTool.Output(
                1,
                """
        Start to check BASE AOF (RDB format).
        [offset 0] Checking RDB file appendonly.aof.1.base.rdb
        --- RDB ERROR DETECTED ---
        [offset 89] RDB CRC error
        RDB preamble of AOF file is not sane, aborting.
        """));
    assertThat(o.badRdb()).isEqualTo("appendonly.aof.1.base.rdb");
    assertThat(o.allValid()).isFalse();
    assertThat(o.lastLine()).isEqualTo("RDB preamble of AOF file is not sane, aborting.");
  }

  @Test
  void aBaseWhoseReaderStopsTheToolIsTheDamagedOne() {
    CheckAofOutput o =
        CheckAofOutput.parse(
            new CheckAofTool.Output(
                1,
                """
        Start checking Multi Part AOF
        Start to check BASE AOF (RDB format).
        [offset 0] Checking RDB file appendonly.aof.2.base.rdb
        [offset 82] Selecting DB ID 0
        --- RDB ERROR DETECTED ---
        [additional info] While doing: read-key
        [additional info] Reading type 0 (string)
        [info] 2 keys read
        8763:C 22 Nov 2026 07:48:47.553 # Terminating server after rdb file reading failure.
        """));
    assertThat(o.badRdb()).isEqualTo("appendonly.aof.2.base.rdb");
  }
}
