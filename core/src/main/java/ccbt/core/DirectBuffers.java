package ccbt.core;

import java.nio.ByteBuffer;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;

/**
 * Direct buffers that the kernel copies into ({@code read}, {@code recv}) start on a cache line. The JDK's
 * {@code allocateDirect} and Netty's allocators return addresses 16 bytes past one, and the kernel's copy into such
 * a buffer is much slower on this machine kind: two threads reading 1 GiB from the page cache and hashing it took
 * 0.57-0.76 s with the buffer at 16 bytes past a cache line against 0.40-0.48 s on one, whatever the buffer's size
 * (docs/performance.md).
 */
public final class DirectBuffers {
    /** The alignment of every buffer here, and of Netty's receive buffers (ccbt.io.net.PeerNetwork). */
    public static final int ALIGNMENT = BitUtil.CACHE_LINE_LENGTH;

    private DirectBuffers() {
    }

    /** A direct buffer of {@code capacity} bytes whose address is a multiple of {@link #ALIGNMENT}. */
    public static ByteBuffer cacheAligned(final int capacity) {
        return BufferUtil.allocateDirectAligned(capacity, ALIGNMENT);
    }
}
