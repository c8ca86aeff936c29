package ccbt.core.hash;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * SHA-1 of two messages of the same length at once, on the CPU's SHA extensions ({@link ShaNi}). Why: the SHA-1
 * round instruction waits for the one before it, and the CPU can run a second message's rounds in that wait, so
 * a pair costs about two thirds of two single hashes (docs/performance.md). Pieces of a torrent have one length,
 * so rechecks and the hash-verify stage hash them in pairs; anything else uses {@link Sha1}.
 *
 * <p>One instance per thread: {@link #update} any number of times with as many bytes for both messages, then
 * {@link #digest}. Available where {@link ShaNi} is.
 */
public final class Sha1Pair {
    /** Native memory: the two states, then room for a partial block and its padding per message. */
    private static final int STATE_A = 0;
    private static final int STATE_B = 32;
    private static final int PENDING_A = 64;
    private static final int PENDING_B = PENDING_A + 2 * ShaNi.BLOCK;
    private static final int MEMORY_BYTES = PENDING_B + 2 * ShaNi.BLOCK;

    /** Freed by the GC with this hasher; the calls keep {@code this} reachable while they pass its addresses. */
    private final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MEMORY_BYTES, ShaNi.BLOCK));
    private final long base = memory.addressOffset();
    /** Re-pointed at the caller's bytes to copy a partial block from them. */
    private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
    /** Bytes of each message so far. */
    private long length;
    /** Bytes of each message waiting in its pending buffer for a whole block (always fewer than 64). */
    private int pending;

    Sha1Pair() {
        reset();
    }

    /** True if this process can hash pairs (library built and loaded, CPU has the SHA extensions). */
    public static boolean isAvailable() {
        return ShaNi.AVAILABLE;
    }

    /** A new pair hasher, reset; only if {@link #isAvailable()}. */
    public static Sha1Pair create() {
        if (!ShaNi.AVAILABLE) {
            throw new IllegalStateException("the SHA-1 library is not available in this process");
        }
        return new Sha1Pair();
    }

    /** Starts two new digests. */
    public void reset() {
        ShaNi.initialState(memory, STATE_A);
        ShaNi.initialState(memory, STATE_B);
        length = 0;
        pending = 0;
    }

    /** Adds {@code bytes} bytes at native address {@code a} to the first message and at {@code b} to the second. */
    public void update(long a, long b, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative length " + bytes);
        }
        length += bytes;
        if (pending > 0) {
            final int take = (int) Math.min(ShaNi.BLOCK - pending, bytes);
            copy(a, PENDING_A + pending, take);
            copy(b, PENDING_B + pending, take);
            pending += take;
            a += take;
            b += take;
            bytes -= take;
            if (pending < ShaNi.BLOCK) {
                return;
            }
            ShaNi.compress2(base + STATE_A, base + STATE_B, base + PENDING_A, base + PENDING_B, 1);
            pending = 0;
        }
        final long blocks = bytes / ShaNi.BLOCK;
        if (blocks > 0) {
            ShaNi.compress2(base + STATE_A, base + STATE_B, a, b, blocks);
        }
        final int rest = (int) (bytes - blocks * ShaNi.BLOCK);
        if (rest > 0) {
            copy(a + blocks * ShaNi.BLOCK, PENDING_A, rest);
            copy(b + blocks * ShaNi.BLOCK, PENDING_B, rest);
            pending = rest;
        }
        Reference.reachabilityFence(this);
    }

    /**
     * Adds the remaining bytes of two direct buffers, which must be as many, and moves their positions to their
     * limits.
     */
    public void update(final ByteBuffer a, final ByteBuffer b) {
        if (!a.isDirect() || !b.isDirect()) {
            throw new IllegalArgumentException("pair hashing takes direct buffers");
        }
        final int bytes = a.remaining();
        if (b.remaining() != bytes) {
            throw new IllegalArgumentException("the two messages differ in length: " + bytes + " and " + b.remaining());
        }
        update(BufferUtil.address(a) + a.position(), BufferUtil.address(b) + b.position(), bytes);
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        a.position(a.limit());
        b.position(b.limit());
    }

    /**
     * Finishes both digests, writes the first message's 20 bytes to {@code outA} at {@code offsetA} and the second's
     * to {@code outB} at {@code offsetB}, and resets.
     */
    public void digest(final byte[] outA, final int offsetA, final byte[] outB, final int offsetB) {
        java.util.Objects.checkFromIndexSize(offsetA, Sha1.LENGTH, outA.length);
        java.util.Objects.checkFromIndexSize(offsetB, Sha1.LENGTH, outB.length);
        ShaNi.pad(memory, PENDING_A, pending, length);
        final int blocks = ShaNi.pad(memory, PENDING_B, pending, length);
        ShaNi.compress2(base + STATE_A, base + STATE_B, base + PENDING_A, base + PENDING_B, blocks);
        ShaNi.digest(memory, STATE_A, outA, offsetA);
        ShaNi.digest(memory, STATE_B, outB, offsetB);
        reset();
        Reference.reachabilityFence(this);
    }

    private void copy(final long from, final int to, final int bytes) {
        source.wrap(from, bytes);
        memory.putBytes(to, source, 0, bytes);
    }
}
