package io.redisops.backup.rdb;

/**
 * LZF decompression (liblzf format as used by Redis), for the few strings the analyzer keeps: AUX
 * values.
 */
final class Lzf {

  private Lzf() {}

  static byte[] decompress(byte[] in, int outLen, long rdbOffset) throws RdbFormatException {
    byte[] out = new byte[outLen];
    decompress(in, in.length, out, outLen, rdbOffset);
    return out;
  }

  /**
   * Decompresses {@code in[0..inLen)} into {@code out[0..outLen)}, which must come out exactly
   * full.
   */
  static void decompress(byte[] in, int inLen, byte[] out, int outLen, long rdbOffset)
      throws RdbFormatException {
    int ip = 0;
    int op = 0;
    try {
      while (ip < inLen) {
        int ctrl = in[ip++] & 0xff;
        if (ctrl < 32) {
          int run = ctrl + 1; // literal run
          if (ip + run > inLen || op + run > outLen) {
            throw new ArrayIndexOutOfBoundsException(run);
          }
          System.arraycopy(in, ip, out, op, run);
          ip += run;
          op += run;
        } else {
          int len = ctrl >>> 5; // back reference
          int ref = op - ((ctrl & 0x1f) << 8) - 1;
          if (len == 7) {
            len += in[ip++] & 0xff;
          }
          ref -= in[ip++] & 0xff;
          len += 2;
          if (ref < 0 || op + len > outLen || ip > inLen) {
            throw new ArrayIndexOutOfBoundsException(ref);
          }
          for (int i = 0; i < len; i++) {
            out[op++] = out[ref++]; // byte by byte: source and target may overlap
          }
        }
      }
    } catch (IndexOutOfBoundsException e) {
      throw invalid(rdbOffset);
    }
    if (op != outLen) {
      throw invalid(rdbOffset);
    }
  }

  private static RdbFormatException invalid(long rdbOffset) {
    return new RdbFormatException(
        "corrupt RDB: invalid LZF compressed string at byte " + rdbOffset);
  }
}
