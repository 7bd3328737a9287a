package io.redisops.backup.rdb;

import java.io.IOException;

/**
 * Consumes one serialized value of a given RDB type without materialising it: only lengths are decoded, the
 * payload bytes are skipped. Layouts follow rdb.c (rdbLoadObject) for RDB versions up to 11.
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

    RdbValueSkipper(RdbByteSource src, RdbPrimitives p) {
        this.src = src;
        this.p = p;
    }

    /** True for the value types {@link #skip(int)} can follow. Module type 6 has no framing: it cannot. */
    static boolean canSkip(int type) {
        return type >= STRING && type <= STREAM_LISTPACKS_3 && type != MODULE && type != 8;
    }

    static String typeName(int type) {
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
            default -> "unknown";
        };
    }

    /** Consumes one value of {@code type}; the caller checked {@link #canSkip(int)}. */
    void skip(int type) throws IOException {
        switch (type) {
            case STRING, HASH_ZIPMAP, LIST_ZIPLIST, SET_INTSET, ZSET_ZIPLIST, HASH_ZIPLIST, HASH_LISTPACK,
                    ZSET_LISTPACK, SET_LISTPACK ->
                    p.skipString(); // one blob
            case LIST, SET, LIST_QUICKLIST -> skipStrings(p.readCount());
            case HASH -> {
                for (long n = p.readCount(); n > 0; n--) {
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
                    p.readLength(); // container: plain node or packed listpack
                    p.skipString();
                }
            }
            case MODULE_2 -> {
                p.readLength(); // module id
                skipModuleOpcodes();
            }
            case STREAM_LISTPACKS, STREAM_LISTPACKS_2, STREAM_LISTPACKS_3 -> skipStream(type);
            default -> throw new IllegalStateException("not skippable: " + type);
        }
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
                throw new RdbFormatException("corrupt RDB: unknown module value opcode " + op + " at byte " + start);
            }
        }
    }

    private void skipStrings(long n) throws IOException {
        for (; n > 0; n--) {
            p.skipString();
        }
    }

    /** Old zset scores: a length byte then ASCII, with 253/254/255 meaning nan/+inf/-inf and no payload. */
    private void skipStringDouble() throws IOException {
        int len = src.readU8();
        if (len < 253) {
            src.skip(len);
        }
    }

    private void skipStream(int type) throws IOException {
        for (long n = p.readCount(); n > 0; n--) {
            p.skipString(); // master ID of the node (16 bytes as a string)
            p.skipString(); // the listpack
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
    }
}
