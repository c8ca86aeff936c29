package ccbt.store.dedup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fixed-size value record of the chunk index, little-endian:
 * <pre>
 *   0  int  store id
 *   4  long offset
 *   12 int  length
 *   16 int  reference count
 *   20 long last access, epoch ms
 *   28      (end)
 * </pre>
 * Reads and writes go through VarHandles on the value's byte array: no wrapper object per access.
 */
final class ChunkLocationDescriptor {
    static final int STORE_ID_OFFSET = 0;
    static final int OFFSET_OFFSET = 4;
    static final int LENGTH_OFFSET = 12;
    static final int REF_COUNT_OFFSET = 16;
    static final int LAST_ACCESS_OFFSET = 20;
    static final int VALUE_LENGTH = 28;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private ChunkLocationDescriptor() {
    }

    static void write(final byte[] v, final int storeId, final long offset, final int length, final int refCount,
                      final long lastAccessMillis) {
        INT.set(v, STORE_ID_OFFSET, storeId);
        LONG.set(v, OFFSET_OFFSET, offset);
        INT.set(v, LENGTH_OFFSET, length);
        INT.set(v, REF_COUNT_OFFSET, refCount);
        LONG.set(v, LAST_ACCESS_OFFSET, lastAccessMillis);
    }

    static int refCount(final byte[] v) {
        return (int) INT.get(v, REF_COUNT_OFFSET);
    }

    static void refCount(final byte[] v, final int refCount) {
        INT.set(v, REF_COUNT_OFFSET, refCount);
    }

    static void lastAccess(final byte[] v, final long millis) {
        LONG.set(v, LAST_ACCESS_OFFSET, millis);
    }

    static ChunkLocation read(final byte[] v) {
        return new ChunkLocation((int) INT.get(v, STORE_ID_OFFSET), (long) LONG.get(v, OFFSET_OFFSET),
                (int) INT.get(v, LENGTH_OFFSET), (int) INT.get(v, REF_COUNT_OFFSET),
                (long) LONG.get(v, LAST_ACCESS_OFFSET));
    }
}
