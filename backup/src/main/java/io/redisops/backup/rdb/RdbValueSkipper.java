package io.redisops.backup.rdb;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * Consumes one serialized value of a given RDB type. Plain strings are skipped without being
 * materialised; the compact encodings (ziplist, listpack, intset, zipmap, stream and quicklist
 * nodes) are read into a reused buffer and validated by {@link RdbEncodings} the way the servers'
 * deep integrity checks do. Layouts follow rdb.c (rdbLoadObject) of Redis up to 8.6 (RDB 13) and
 * Valkey 9 (RDB 80).
 *
 * <p>Memory: a blob is materialised up to {@link RdbPrimitives#MAX_VALIDATED_BLOB} (64 MiB); a
 * larger one (no server writes one with default settings: listpacks are capped by the
 * *-max-listpack-* settings, quicklist nodes by list-max-listpack-size) is skipped unvalidated and
 * recorded in {@link #unvalidated()}, which lowers the verification level to CHECKSUM.
 */
final class RdbValueSkipper {

  static final int STRING = 0;
  static final int LIST = 1;
  static final int SET = 2;
  static final int ZSET = 3;
  static final int HASH = 4;
  static final int ZSET_2 = 5;
  static final int MODULE = 6;
  static final int MODULE_2 = 7;
  static final int HASH_ZIPMAP = 9;
  static final int LIST_ZIPLIST = 10;
  static final int SET_INTSET = 11;
  static final int ZSET_ZIPLIST = 12;
  static final int HASH_ZIPLIST = 13;
  static final int LIST_QUICKLIST = 14;
  static final int STREAM_LISTPACKS = 15;
  static final int HASH_LISTPACK = 16;
  static final int ZSET_LISTPACK = 17;
  static final int LIST_QUICKLIST_2 = 18;
  static final int STREAM_LISTPACKS_2 = 19;
  static final int SET_LISTPACK = 20;
  static final int STREAM_LISTPACKS_3 = 21;
  // Redis 7.4+ (RDB 12): hash field expiration.
  static final int HASH_METADATA_PRE_GA = 22;
  static final int HASH_LISTPACK_EX_PRE_GA = 23;
  static final int HASH_METADATA = 24;
  static final int HASH_LISTPACK_EX = 25;
  // Redis 8.6 (RDB 13): stream with IDMP (idempotent producers).
  static final int STREAM_LISTPACKS_4 = 26;
  // Valkey 9.0 (RDB 80): type 22 is a hash with field TTLs, not Redis' 22.
  static final int VALKEY_HASH_2 = 22;

  private static final int QUICKLIST_NODE_PLAIN = 1;
  private static final int QUICKLIST_NODE_PACKED = 2;
  private static final int STREAM_ID_SIZE = 16;

  /** Module value opcodes (RDB_MODULE_OPCODE_*), used by module type 7 and MODULE_AUX. */
  private static final int MODULE_OP_EOF = 0;

  private static final int MODULE_OP_SINT = 1;
  private static final int MODULE_OP_UINT = 2;
  private static final int MODULE_OP_FLOAT = 3;
  private static final int MODULE_OP_DOUBLE = 4;
  private static final int MODULE_OP_STRING = 5;

  /** Size of a raw stream ID (two big-endian 64-bit words) in a PEL. */
  private static final int STREAM_ID_BYTES = 16;

  private final RdbByteSource src;
  private final RdbPrimitives p;
  private final RdbEncodings enc = new RdbEncodings();
  private final Supplier<String> where;
  private boolean valkey;
  private int version;
  private String unvalidated;

  RdbValueSkipper(RdbByteSource src, RdbPrimitives p, Supplier<String> where) {
    this.src = src;
    this.p = p;
    this.where = where;
  }

  /** Sets the dialect: value type numbers above 21 mean different things to Redis and to Valkey. */
  void dialect(boolean valkeyMagic, int rdbVersion) {
    this.valkey = valkeyMagic;
    this.version = rdbVersion;
  }

  /** Why some blob was not validated (too large), or null. */
  String unvalidated() {
    return unvalidated;
  }

  /**
   * True for the value types {@link #skip(int)} can follow in this dialect. Module type 6 has no
   * framing: it cannot; nor can a type whose layout this reader does not know.
   */
  boolean canSkip(int type) {
    if (type >= STRING && type <= STREAM_LISTPACKS_3) {
      return type != MODULE && type != 8;
    }
    if (valkey) {
      return type == VALKEY_HASH_2;
    }
    return (type >= HASH_METADATA_PRE_GA && type <= HASH_LISTPACK_EX && version >= 12)
        || (type == STREAM_LISTPACKS_4 && version >= 13);
  }

  String typeName(int type) {
    if (valkey && type == VALKEY_HASH_2) {
      return "hash with field TTLs";
    }
    return switch (type) {
      case STRING -> "string";
      case LIST -> "list";
      case SET -> "set";
      case ZSET -> "zset";
      case HASH -> "hash";
      case ZSET_2 -> "zset2";
      case MODULE -> "module (pre-GA)";
      case MODULE_2 -> "module";
      case HASH_ZIPMAP -> "hash zipmap";
      case LIST_ZIPLIST -> "list ziplist";
      case SET_INTSET -> "set intset";
      case ZSET_ZIPLIST -> "zset ziplist";
      case HASH_ZIPLIST -> "hash ziplist";
      case LIST_QUICKLIST -> "list quicklist";
      case STREAM_LISTPACKS -> "stream";
      case HASH_LISTPACK -> "hash listpack";
      case ZSET_LISTPACK -> "zset listpack";
      case LIST_QUICKLIST_2 -> "list quicklist2";
      case STREAM_LISTPACKS_2 -> "stream v2";
      case SET_LISTPACK -> "set listpack";
      case STREAM_LISTPACKS_3 -> "stream v3";
      case HASH_METADATA_PRE_GA -> "hash with field TTLs (7.4 RC)";
      case HASH_LISTPACK_EX_PRE_GA -> "hash listpack with field TTLs (7.4 RC)";
      case HASH_METADATA -> "hash with field TTLs";
      case HASH_LISTPACK_EX -> "hash listpack with field TTLs";
      case STREAM_LISTPACKS_4 -> "stream v4";
      default -> "unknown";
    };
  }

  /** Consumes one value of {@code type}; the caller checked {@link #canSkip(int)}. */
  void skip(int type) throws IOException {
    if (valkey && type == VALKEY_HASH_2) {
      for (long n = p.readCount(); n > 0; n--) {
        p.skipString(); // field
        p.skipString(); // value
        src.skip(8); // field expiry, ms (-1 = none)
      }
      return;
    }
    switch (type) {
      case STRING -> p.skipString();
      case HASH_ZIPMAP -> blob(BlobKind.ZIPMAP);
      case LIST_ZIPLIST -> blob(BlobKind.ZIPLIST);
      case ZSET_ZIPLIST, HASH_ZIPLIST -> blob(BlobKind.ZIPLIST_PAIRS);
      case SET_INTSET -> blob(BlobKind.INTSET);
      case SET_LISTPACK -> blob(BlobKind.LISTPACK_SET);
      case HASH_LISTPACK, ZSET_LISTPACK -> blob(BlobKind.LISTPACK_PAIRS);
      case HASH_LISTPACK_EX_PRE_GA -> blob(BlobKind.LISTPACK_TTL_TRIPLES);
      case HASH_LISTPACK_EX -> {
        src.skip(8); // min field expiry, ms
        blob(BlobKind.LISTPACK_TTL_TRIPLES);
      }
      case LIST, SET -> skipStrings(p.readCount());
      case LIST_QUICKLIST -> {
        for (long n = p.readCount(); n > 0; n--) {
          blob(BlobKind.ZIPLIST);
        }
      }
      case HASH -> {
        for (long n = p.readCount(); n > 0; n--) {
          p.skipString(); // field
          p.skipString(); // value
        }
      }
      case HASH_METADATA_PRE_GA, HASH_METADATA -> {
        if (type == HASH_METADATA) {
          src.skip(8); // min field expiry, ms
        }
        for (long n = p.readCount(); n > 0; n--) {
          p.readLength(); // TTL (relative to the min expiry + 1, or absolute in the RC form; 0 =
          // none)
          p.skipString(); // field
          p.skipString(); // value
        }
      }
      case ZSET -> {
        for (long n = p.readCount(); n > 0; n--) {
          p.skipString();
          skipStringDouble();
        }
      }
      case ZSET_2 -> {
        for (long n = p.readCount(); n > 0; n--) {
          p.skipString();
          src.skip(8); // binary IEEE 754 double
        }
      }
      case LIST_QUICKLIST_2 -> {
        for (long n = p.readCount(); n > 0; n--) {
          long start = src.position();
          long container = p.readLength();
          if (container == QUICKLIST_NODE_PLAIN) {
            if (p.skipStringReturningLength() == 0) {
              throw corrupt("empty quicklist node", start);
            }
          } else if (container == QUICKLIST_NODE_PACKED) {
            blob(BlobKind.LISTPACK);
          } else {
            throw corrupt(
                "quicklist node container " + container + " is neither plain (1) nor packed (2)",
                start);
          }
        }
      }
      case MODULE_2 -> {
        p.readLength(); // module id
        skipModuleOpcodes();
      }
      case STREAM_LISTPACKS, STREAM_LISTPACKS_2, STREAM_LISTPACKS_3, STREAM_LISTPACKS_4 ->
          skipStream(type);
      default -> throw new IllegalStateException("not skippable: " + type);
    }
  }

  private enum BlobKind {
    ZIPMAP,
    ZIPLIST,
    ZIPLIST_PAIRS,
    INTSET,
    LISTPACK,
    LISTPACK_SET,
    LISTPACK_PAIRS,
    LISTPACK_TTL_TRIPLES,
    STREAM_LISTPACK
  }

  /** Reads one encoded blob and validates it. */
  private void blob(BlobKind kind) throws IOException {
    long start = src.position();
    if (!p.readBlob(RdbPrimitives.MAX_VALIDATED_BLOB)) {
      if (unvalidated == null) {
        unvalidated =
            "a "
                + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + " larger than "
                + (RdbPrimitives.MAX_VALIDATED_BLOB >> 20)
                + " MiB at byte "
                + start
                + " was not validated";
      }
      return;
    }
    byte[] b = p.blob();
    int n = p.blobLength();
    String bad =
        switch (kind) {
          case ZIPMAP -> enc.zipmap(b, n);
          case ZIPLIST -> n == 0 ? "empty quicklist node" : enc.ziplist(b, n, false);
          case ZIPLIST_PAIRS -> enc.ziplist(b, n, true);
          case INTSET -> RdbEncodings.intset(b, n);
          case LISTPACK -> n == 0 ? "empty quicklist node" : enc.listpack(b, n, 0, false);
          case LISTPACK_SET -> enc.listpack(b, n, 1, false);
          case LISTPACK_PAIRS -> enc.listpack(b, n, 2, false);
          case LISTPACK_TTL_TRIPLES -> enc.listpack(b, n, 3, true);
          case STREAM_LISTPACK -> {
            String r = enc.listpack(b, n, 0, false);
            yield r != null
                ? r
                : RdbEncodings.listpackEmpty(b)
                    ? "empty listpack inside a stream"
                    : enc.streamListpack(b, n);
          }
        };
    if (bad != null) {
      throw corrupt(bad, start);
    }
  }

  private RdbFormatException corrupt(String why, long offset) {
    return new RdbFormatException(
        "corrupt RDB: " + why + " (value at byte " + offset + ", " + where.get() + ")");
  }

  /** Module data self-described by opcodes until the EOF opcode (rdbLoadCheckModuleValue). */
  void skipModuleOpcodes() throws IOException {
    while (true) {
      long start = src.position();
      long op = p.readLength();
      if (op == MODULE_OP_EOF) {
        return;
      } else if (op == MODULE_OP_SINT || op == MODULE_OP_UINT) {
        p.readLength();
      } else if (op == MODULE_OP_FLOAT) {
        src.skip(4);
      } else if (op == MODULE_OP_DOUBLE) {
        src.skip(8);
      } else if (op == MODULE_OP_STRING) {
        p.skipString();
      } else {
        throw new RdbFormatException(
            "corrupt RDB: unknown module value opcode " + op + " at byte " + start);
      }
    }
  }

  private void skipStrings(long n) throws IOException {
    for (; n > 0; n--) {
      p.skipString();
    }
  }

  /**
   * Old zset scores: a length byte then ASCII, with 253/254/255 meaning nan/+inf/-inf and no
   * payload.
   */
  private void skipStringDouble() throws IOException {
    int len = src.readU8();
    if (len < 253) {
      src.skip(len);
    }
  }

  private void skipStream(int type) throws IOException {
    for (long n = p.readCount(); n > 0; n--) {
      long start = src.position();
      if (p.skipStringReturningLength() != STREAM_ID_SIZE) { // master ID of the node
        throw corrupt("stream node key is not the size of a stream ID", start);
      }
      blob(BlobKind.STREAM_LISTPACK);
    }
    p.readLength(); // number of entries
    p.readLength(); // last ID ms
    p.readLength(); // last ID seq
    if (type >= STREAM_LISTPACKS_2) {
      p.readLength(); // first ID ms
      p.readLength(); // first ID seq
      p.readLength(); // max deleted ID ms
      p.readLength(); // max deleted ID seq
      p.readLength(); // entries added
    }
    for (long groups = p.readCount(); groups > 0; groups--) {
      p.skipString(); // group name
      p.readLength(); // last delivered ID ms
      p.readLength(); // last delivered ID seq
      if (type >= STREAM_LISTPACKS_2) {
        p.readLength(); // entries read
      }
      for (long pel = p.readCount(); pel > 0; pel--) {
        src.skip(STREAM_ID_BYTES);
        src.skip(8); // delivery time, ms
        p.readLength(); // delivery count
      }
      for (long consumers = p.readCount(); consumers > 0; consumers--) {
        p.skipString(); // consumer name
        src.skip(8); // seen time
        if (type >= STREAM_LISTPACKS_3) {
          src.skip(8); // active time
        }
        for (long pel = p.readCount(); pel > 0; pel--) {
          src.skip(STREAM_ID_BYTES);
        }
      }
    }
    if (type >= STREAM_LISTPACKS_4) {
      p.readLength(); // IDMP duration
      p.readLength(); // IDMP max entries
      for (long producers = p.readCount(); producers > 0; producers--) {
        p.skipString(); // producer id
        for (long iids = p.readCount(); iids > 0; iids--) {
          p.skipString(); // idempotency id
          p.readLength(); // stream ID ms
          p.readLength(); // stream ID seq
        }
      }
      p.readLength(); // IIDs added
      p.readLength(); // duplicate IIDs
    }
  }
}
