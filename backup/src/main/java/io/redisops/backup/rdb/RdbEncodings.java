package io.redisops.backup.rdb;

/**
 * Structural checks of the compact encodings stored as RDB string blobs, written from the rules of
 * the servers' deep integrity checks ({@code redis-check-rdb} runs them with {@code
 * sanitize-dump-payload yes}): listpack.c {@code lpValidateIntegrity}/{@code lpValidateNext},
 * ziplist.c {@code ziplistValidateIntegrity}/{@code zipEntrySafe}, intset.c {@code
 * intsetValidateIntegrity}, zipmap.c {@code zipmapValidateIntegrity}, and the per-type callbacks of
 * rdb.c ({@code lpValidateIntegrityAndDups}: unique first element per tuple, whole tuples, ordered
 * field TTLs in a listpack-ex hash; {@code ziplistPairsConvertAndValidateIntegrity}: unique fields,
 * even entry count).
 *
 * <p>Each method returns null when the blob is sound, else a short reason. Loops index the array
 * directly (no per-byte virtual calls); the duplicate check reuses one open-addressing table across
 * calls.
 *
 * <p>Not checked (the servers check these on load, not all of them in redis-check-rdb): the inner
 * layout of a stream node listpack (master entry, flags, deltas: t_stream.c
 * streamValidateListpackIntegrity), duplicate members of a zipmap beyond the field names, NaN
 * scores in zset listpacks (Valkey 9 checks those).
 */
final class RdbEncodings {

  private static final int LP_HDR_SIZE = 6;
  private static final int LP_EOF = 0xFF;
  private static final int LP_NUMELE_UNKNOWN = 0xFFFF;
  private static final int ZL_HEADER_SIZE = 10;
  private static final int ZL_END = 0xFF;
  private static final int ZIPMAP_BIGLEN = 254;
  private static final int ZIPMAP_END = 255;

  /** EB_EXPIRE_TIME_MAX of Redis' ebuckets: 48-bit absolute milliseconds. */
  private static final long HFE_EXPIRE_TIME_MAX = (1L << 48) - 1;

  private final FieldSet fields = new FieldSet();

  // Decoded by lpEntry / zlEntry: where the last entry's payload is, and whether it is an integer.
  private int entryStr;
  private int entryLen;
  private boolean entryIsInt;
  private long entryInt;

  /**
   * A listpack, deep-checked.
   *
   * @param tuple 0: entries only; 1, 2 or 3: the entry count must be a multiple of it and the first
   *     element of each tuple must be unique (set members, hash fields, zset members)
   * @param ttls a listpack-ex hash: every third element is an ordered field expiry (0 = none)
   */
  String listpack(byte[] b, int size, int tuple, boolean ttls) {
    if (size < LP_HDR_SIZE + 1) {
      return "listpack shorter than its header";
    }
    long total = u32le(b, 0);
    if (total != size) {
      return "listpack header says " + total + " bytes, the string has " + size;
    }
    if ((b[size - 1] & 0xff) != LP_EOF) {
      return "listpack does not end with its terminator";
    }
    int numele = u16le(b, 4);
    int p = LP_HDR_SIZE;
    int count = 0;
    long lastExpire = -1;
    if (tuple > 0) {
      fields.reset(b);
    }
    while ((b[p] & 0xff) != LP_EOF) {
      int next = lpNext(b, p, size);
      if (next < 0) {
        return "listpack entry " + count + " at offset " + p + " is malformed";
      }
      if (tuple > 0) {
        int slot = count % tuple;
        if (slot == 0 && !fields.add(entryStr, entryLen, entryIsInt, entryInt)) {
          return "listpack has a duplicate element (entry " + count + ")";
        }
        if (ttls && slot == 2) {
          long expire;
          if (entryIsInt) {
            expire = entryInt;
          } else {
            Long parsed = parseLong(b, entryStr, entryLen);
            if (parsed == null) {
              return "listpack field TTL (entry " + count + ") is not an integer";
            }
            expire = parsed;
          }
          if (expire < 0 || expire > HFE_EXPIRE_TIME_MAX) {
            return "listpack field TTL " + expire + " out of range (entry " + count + ")";
          }
          if (expire != 0 && (lastExpire == 0 || expire < lastExpire)) {
            return "listpack field TTLs out of order (entry " + count + ")";
          }
          lastExpire = expire;
        }
      }
      p = next;
      count++;
    }
    if (p != size - 1) {
      return "listpack terminator found before its end";
    }
    if (numele != LP_NUMELE_UNKNOWN && numele != count) {
      return "listpack header counts " + numele + " entries, it holds " + count;
    }
    if (tuple > 1 && count % tuple != 0) {
      return "listpack holds " + count + " entries, not a whole number of " + tuple + "-tuples";
    }
    return null;
  }

  /**
   * A stream node listpack: the listpack itself, then its entry layout as t_stream.c
   * streamValidateListpackIntegrity checks it (master entry: count, deleted, field count, field
   * names, 0; each entry: flags, ms, seq, [field count, names unless SAMEFIELDS], values, lp-count
   * matching; nothing after).
   */
  String streamListpack(byte[] b, int size) {
    String r = listpack(b, size, 0, false);
    if (r != null) {
      return r;
    }
    cursor = LP_HDR_SIZE;
    Long count = nextInt(b, size);
    Long deleted = nextInt(b, size);
    Long masterFields = nextInt(b, size);
    if (count == null || deleted == null || masterFields == null || masterFields < 0) {
      return "stream listpack master entry is malformed";
    }
    for (long j = 0; j < masterFields; j++) {
      if (!skipEntry(b, size)) {
        return "stream listpack master entry is malformed";
      }
    }
    Long zero = nextInt(b, size);
    if (zero == null || zero != 0) {
      return "stream listpack master entry is not terminated by 0";
    }
    for (long e = count + deleted; e > 0; e--) {
      Long flags = nextInt(b, size);
      Long ms = nextInt(b, size);
      Long seq = nextInt(b, size);
      if (flags == null || ms == null || seq == null) {
        return "stream listpack entry header is malformed";
      }
      long fields = masterFields;
      long extra = 3;
      if ((flags & 2) == 0) { // not STREAM_ITEM_FLAG_SAMEFIELDS
        Long nf = nextInt(b, size);
        if (nf == null || nf < 0) {
          return "stream listpack entry field count is malformed";
        }
        fields = nf;
        for (long j = 0; j < fields; j++) {
          if (!skipEntry(b, size)) {
            return "stream listpack entry fields run past the listpack";
          }
        }
        extra += fields + 1;
      }
      for (long j = 0; j < fields; j++) {
        if (!skipEntry(b, size)) {
          return "stream listpack entry values run past the listpack";
        }
      }
      Long lpCount = nextInt(b, size);
      if (lpCount == null || lpCount != fields + extra) {
        return "stream listpack entry lp-count does not match its entry";
      }
    }
    if ((b[cursor] & 0xff) != LP_EOF) {
      return "stream listpack has entries after its last entry";
    }
    return null;
  }

  private int cursor;

  private boolean skipEntry(byte[] b, int size) {
    if ((b[cursor] & 0xff) == LP_EOF) {
      return false;
    }
    cursor = lpNext(b, cursor, size); // already validated: never -1 here
    return true;
  }

  /**
   * The entry at the cursor as an integer (integer-encoded or a decimal string), advancing; null if
   * not.
   */
  private Long nextInt(byte[] b, int size) {
    if ((b[cursor] & 0xff) == LP_EOF) {
      return null;
    }
    cursor = lpNext(b, cursor, size);
    return entryIsInt ? Long.valueOf(entryInt) : parseLong(b, entryStr, entryLen);
  }

  /** True when the listpack has no entry (checked after {@link #listpack}). */
  static boolean listpackEmpty(byte[] b) {
    return (b[LP_HDR_SIZE] & 0xff) == LP_EOF;
  }

  /**
   * Validates the entry at {@code p} like lpValidateNext and decodes it into the entry fields.
   *
   * @return the offset of the next entry, or -1 when the entry is malformed
   */
  private int lpNext(byte[] b, int p, int lpBytes) {
    int last = lpBytes - 1; // highest valid offset
    int enc = b[p] & 0xff;
    int lenBytes;
    long entryLen; // encoding + payload, without backlen
    entryIsInt = false;
    if (enc < 0x80) { // 7-bit uint
      lenBytes = 1;
      entryLen = 1;
      entryIsInt = true;
      entryInt = enc;
    } else if (enc < 0xC0) { // 6-bit string
      lenBytes = 1;
      entryLen = 1L + (enc & 0x3f);
      entryStr = p + 1;
      this.entryLen = enc & 0x3f;
    } else if (enc < 0xE0) { // 13-bit int
      lenBytes = 1;
      entryLen = 2;
    } else if (enc < 0xF0) { // 12-bit string
      lenBytes = 2;
      if (p + 1 > last) {
        return -1;
      }
      int n = ((enc & 0x0f) << 8) | (b[p + 1] & 0xff);
      entryLen = 2L + n;
      entryStr = p + 2;
      this.entryLen = n;
    } else if (enc == 0xF0) { // 32-bit string
      lenBytes = 5;
      if (p + 4 > last) {
        return -1;
      }
      long n = u32le(b, p + 1);
      entryLen = 5L + n;
      entryStr = p + 5;
      this.entryLen = (int) Math.min(n, Integer.MAX_VALUE);
    } else if (enc >= 0xF1 && enc <= 0xF4) { // 16/24/32/64-bit int
      lenBytes = 1;
      entryLen = enc == 0xF1 ? 3 : enc == 0xF2 ? 4 : enc == 0xF3 ? 5 : 9;
    } else {
      return -1; // 0xF5..0xFE are no encoding; 0xFF (EOF) never reaches here
    }
    if (p + lenBytes > last) {
      return -1;
    }
    int backlenBytes =
        entryLen <= 127
            ? 1
            : entryLen < 16383 ? 2 : entryLen < 2097151 ? 3 : entryLen < 268435455 ? 4 : 5;
    long end = p + entryLen + backlenBytes; // offset of the next entry
    if (end > last) {
      return -1;
    }
    // The backlen, read backwards from the last byte of the entry, must give the entry length.
    long back = 0;
    int shift = 0;
    int q = (int) end - 1;
    while (true) {
      int c = b[q] & 0xff;
      back |= (long) (c & 127) << shift;
      if ((c & 128) == 0) {
        break;
      }
      shift += 7;
      q--;
      if (shift > 28) {
        return -1;
      }
    }
    if (back != entryLen) {
      return -1;
    }
    if (!entryIsInt && enc >= 0xC0 && enc < 0xE0) {
      entryIsInt = true;
      int v = ((enc & 0x1f) << 8) | (b[p + 1] & 0xff);
      entryInt = v >= 1 << 12 ? v - (1 << 13) : v;
    } else if (enc >= 0xF1 && enc <= 0xF4) {
      entryIsInt = true;
      int n = (int) entryLen - 1;
      long v = 0;
      for (int i = 0; i < n; i++) {
        v |= (b[p + 1 + i] & 0xffL) << (8 * i);
      }
      int bits = 8 * n;
      entryInt = bits == 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }
    return (int) end;
  }

  /**
   * A ziplist, deep-checked (list ziplist, quicklist v1 node, or with {@code pairs} a hash/zset
   * ziplist whose even entries are unique and whose count is even).
   */
  String ziplist(byte[] b, int size, boolean pairs) {
    if (size < ZL_HEADER_SIZE + 1) {
      return "ziplist shorter than its header";
    }
    long total = u32le(b, 0);
    if (total != size) {
      return "ziplist header says " + total + " bytes, the string has " + size;
    }
    if ((b[size - 1] & 0xff) != ZL_END) {
      return "ziplist does not end with its terminator";
    }
    long tail = u32le(b, 4);
    if (tail > size - 1) {
      return "ziplist tail offset " + tail + " beyond its end";
    }
    int headerCount = u16le(b, 8);
    int last = size - 1; // the terminator
    int p = ZL_HEADER_SIZE;
    int prev = -1;
    long prevRawSize = 0;
    int count = 0;
    if (pairs) {
      fields.reset(b);
    }
    while ((b[p] & 0xff) != ZL_END) {
      // prevlen
      int prevLenSize = (b[p] & 0xff) < 254 ? 1 : 5;
      if (p + prevLenSize > last) {
        return "ziplist entry " + count + " header runs past the end";
      }
      long prevLen = prevLenSize == 1 ? b[p] & 0xff : u32le(b, p + 1);
      int e = p + prevLenSize;
      int enc = b[e] & 0xff;
      int lenSize;
      long len;
      boolean isInt = false;
      long intVal = 0;
      if (enc < 0xC0) {
        switch (enc >>> 6) {
          case 0 -> {
            lenSize = 1;
            len = enc & 0x3f;
          }
          case 1 -> {
            lenSize = 2;
            if (e + 1 > last) {
              return "ziplist entry " + count + " header runs past the end";
            }
            len = ((enc & 0x3fL) << 8) | (b[e + 1] & 0xff);
          }
          default -> {
            lenSize = 5;
            if (e + 4 > last) {
              return "ziplist entry " + count + " header runs past the end";
            }
            len = u32be(b, e + 1);
          }
        }
      } else {
        lenSize = 1;
        isInt = true;
        switch (enc) {
          case 0xC0 -> len = 2;
          case 0xD0 -> len = 4;
          case 0xE0 -> len = 8;
          case 0xF0 -> len = 3;
          case 0xFE -> len = 1;
          default -> {
            if (enc >= 0xF1 && enc <= 0xFD) {
              len = 0;
              intVal = (enc & 0x0f) - 1L;
            } else {
              return "ziplist entry "
                  + count
                  + " has the invalid encoding 0x"
                  + Integer.toHexString(enc);
            }
          }
        }
      }
      if (e + lenSize > last) {
        return "ziplist entry " + count + " header runs past the end";
      }
      long headerSize = (long) prevLenSize + lenSize;
      if (p + headerSize + len > last) {
        return "ziplist entry " + count + " runs past the end";
      }
      if (prevLen != prevRawSize) {
        return "ziplist entry "
            + count
            + " records a previous entry of "
            + prevLen
            + " bytes instead of "
            + prevRawSize;
      }
      if (pairs && count % 2 == 0) {
        int payload = (int) (p + headerSize);
        if (isInt && len > 0) {
          intVal =
              switch ((int) len) {
                case 1 -> b[payload];
                case 2 -> (short) u16le(b, payload);
                case 3 -> ((int) (u32le3(b, payload) << 8)) >> 8;
                case 4 -> (int) u32le(b, payload);
                default -> u64le(b, payload);
              };
        }
        if (!fields.add(payload, (int) len, isInt, intVal)) {
          return "ziplist has a duplicate field (entry " + count + ")";
        }
      }
      prevRawSize = headerSize + len;
      prev = p;
      p = (int) (p + headerSize + len);
      count++;
    }
    if (p != size - 1) {
      return "ziplist terminator found before its end";
    }
    if (prev >= 0 && prev != tail) {
      return "ziplist tail offset " + tail + " is not its last entry (" + prev + ")";
    }
    if (headerCount != 0xFFFF && count != headerCount) {
      return "ziplist header counts " + headerCount + " entries, it holds " + count;
    }
    if (pairs && count % 2 != 0) {
      return "ziplist holds an odd number of entries (" + count + ") for field/value pairs";
    }
    return null;
  }

  /** An intset: header, size, non-empty, strictly increasing members. */
  static String intset(byte[] b, int size) {
    if (size < 8) {
      return "intset shorter than its header";
    }
    long enc = u32le(b, 0);
    if (enc != 2 && enc != 4 && enc != 8) {
      return "intset has the invalid encoding " + enc;
    }
    long count = u32le(b, 4);
    if (8 + count * enc != size) {
      return "intset header counts "
          + count
          + " members of "
          + enc
          + " bytes, the string has "
          + size;
    }
    if (count == 0) {
      return "intset is empty";
    }
    int w = (int) enc;
    long prev = intsetGet(b, 8, w);
    for (int i = 1; i < count; i++) {
      long cur = intsetGet(b, 8 + i * w, w);
      if (cur <= prev) {
        return "intset members out of order or duplicated (member " + i + ")";
      }
      prev = cur;
    }
    return null;
  }

  private static long intsetGet(byte[] b, int off, int w) {
    return switch (w) {
      case 2 -> (short) u16le(b, off);
      case 4 -> (int) u32le(b, off);
      default -> u64le(b, off);
    };
  }

  /** A zipmap (RDB type 9, Redis &lt; 2.6): entries inside, non-empty, count, unique fields. */
  String zipmap(byte[] b, int size) {
    if (size < 2) {
      return "zipmap shorter than its header";
    }
    if ((b[size - 1] & 0xff) != ZIPMAP_END) {
      return "zipmap does not end with its terminator";
    }
    int last = size - 1;
    int p = 1;
    int count = 0;
    fields.reset(b);
    while ((b[p] & 0xff) != ZIPMAP_END) {
      for (int part = 0; part < 2; part++) { // field, then value
        int s = (b[p] & 0xff) < ZIPMAP_BIGLEN ? 1 : 5;
        if (p + s > last) {
          return "zipmap entry " + count + " runs past the end";
        }
        long l = s == 1 ? b[p] & 0xff : u32le(b, p + 1);
        if (l < ZIPMAP_BIGLEN && s != 1) {
          return "zipmap entry " + count + " has a short length in the 5-byte form";
        }
        p += s;
        if (part == 0) {
          if (p + l > last) {
            return "zipmap entry " + count + " runs past the end";
          }
          if (!fields.add(p, (int) l, false, 0)) {
            return "zipmap has a duplicate field (entry " + count + ")";
          }
          p += (int) l;
        } else {
          if (p > last) {
            return "zipmap entry " + count + " runs past the end";
          }
          int free = b[p] & 0xff;
          long q = p + 1L + l + free;
          if (q > last) {
            return "zipmap entry " + count + " runs past the end";
          }
          p = (int) q;
        }
        if (p > last) {
          return "zipmap entry " + count + " runs past the end";
        }
      }
      count++;
    }
    if (count == 0) {
      return "zipmap is empty";
    }
    int header = b[0] & 0xff;
    if (header != ZIPMAP_BIGLEN && header != count) {
      return "zipmap header counts " + header + " entries, it holds " + count;
    }
    return null;
  }

  static long u32le(byte[] b, int off) {
    return (b[off] & 0xffL)
        | (b[off + 1] & 0xffL) << 8
        | (b[off + 2] & 0xffL) << 16
        | (b[off + 3] & 0xffL) << 24;
  }

  private static long u32le3(byte[] b, int off) {
    return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16;
  }

  private static long u32be(byte[] b, int off) {
    return (b[off] & 0xffL) << 24
        | (b[off + 1] & 0xffL) << 16
        | (b[off + 2] & 0xffL) << 8
        | (b[off + 3] & 0xffL);
  }

  private static int u16le(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
  }

  private static long u64le(byte[] b, int off) {
    return u32le(b, off) | u32le(b, off + 4) << 32;
  }

  /** string2ll-like: an optional '-' then digits, no leading zeros, fits in a long. */
  static Long parseLong(byte[] b, int off, int len) {
    return isCanonicalLong(b, off, len) ? canonicalLong(b, off, len) : null;
  }

  /**
   * Whether the bytes spell a long in canonical decimal (what Long.toString would print: an
   * optional '-', no '+', no leading zero, no "-0", within range). Hand-written because it runs for
   * every element of every blob: going through a String and NumberFormatException made the whole
   * pass thirty times slower.
   */
  static boolean isCanonicalLong(byte[] b, int off, int len) {
    if (len <= 0 || len > 20) {
      return false;
    }
    int i = off;
    int end = off + len;
    boolean negative = b[i] == '-';
    if (negative && ++i == end) {
      return false;
    }
    if (b[i] == '0') {
      return !negative && len == 1;
    }
    long v = 0; // accumulated negatively, so that Long.MIN_VALUE fits
    for (; i < end; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
        return false;
      }
      v = v * 10 - d;
    }
    return negative || v != Long.MIN_VALUE;
  }

  /** The value of bytes that {@link #isCanonicalLong} accepted. */
  private static long canonicalLong(byte[] b, int off, int len) {
    int i = off;
    boolean negative = b[i] == '-';
    if (negative) {
      i++;
    }
    long v = 0;
    for (; i < off + len; i++) {
      v = v * 10 - (b[i] - '0');
    }
    return negative ? v : -v;
  }

  /**
   * Set of the elements of one blob, for duplicate checks: open addressing over int slots, reused
   * across blobs. An integer-encoded element equals a string element holding its decimal form, as
   * the servers compare the strings they decode.
   */
  private static final class FieldSet {
    private int[] offs = new int[256];
    private int[] lens = new int[256];
    private long[] ints = new long[256];
    private int[] hashes = new int[256];
    private int[] used = new int[256]; // generation marks: a slot is live when used[i] == gen
    private int gen = 1;
    private int size;
    private byte[] blob;

    void reset(byte[] b) {
      blob = b;
      size = 0;
      gen++;
      if (gen == Integer.MAX_VALUE) {
        java.util.Arrays.fill(used, 0);
        gen = 1;
      }
    }

    /** Adds an element; lens[i] == -1 marks an integer. @return false when already present. */
    boolean add(int off, int len, boolean isInt, long intVal) {
      if (!isInt && len > 0 && len <= 20) {
        if (isCanonicalLong(
            blob, off, len)) { // canonical decimal string: compare as the integer it spells
          isInt = true;
          intVal = canonicalLong(blob, off, len);
        }
      }
      if ((size + 1) * 2 > used.length) {
        grow();
      }
      int h = isInt ? Long.hashCode(intVal * 0x9E3779B97F4A7C15L) : hashBytes(off, len);
      int mask = used.length - 1;
      int i = h & mask;
      while (used[i] == gen) {
        if (hashes[i] == h && equal(i, off, len, isInt, intVal)) {
          return false;
        }
        i = (i + 1) & mask;
      }
      used[i] = gen;
      hashes[i] = h;
      offs[i] = off;
      lens[i] = isInt ? -1 : len;
      ints[i] = intVal;
      size++;
      return true;
    }

    private boolean equal(int i, int off, int len, boolean isInt, long intVal) {
      if (isInt || lens[i] < 0) {
        return isInt && lens[i] < 0 && ints[i] == intVal;
      }
      return lens[i] == len
          && java.util.Arrays.equals(blob, offs[i], offs[i] + len, blob, off, off + len);
    }

    private int hashBytes(int off, int len) {
      int h = 1;
      for (int i = off, end = off + len; i < end; i++) {
        h = 31 * h + blob[i];
      }
      return h ^ (h >>> 16);
    }

    private void grow() {
      int[] oOffs = offs;
      int[] oLens = lens;
      long[] oInts = ints;
      int[] oHashes = hashes;
      int[] oUsed = used;
      int oGen = gen;
      int n = oUsed.length * 2;
      offs = new int[n];
      lens = new int[n];
      ints = new long[n];
      hashes = new int[n];
      used = new int[n];
      gen = 1;
      int mask = n - 1;
      for (int j = 0; j < oUsed.length; j++) {
        if (oUsed[j] == oGen) {
          int i = oHashes[j] & mask;
          while (used[i] == gen) {
            i = (i + 1) & mask;
          }
          used[i] = gen;
          hashes[i] = oHashes[j];
          offs[i] = oOffs[j];
          lens[i] = oLens[j];
          ints[i] = oInts[j];
        }
      }
    }
  }
}
