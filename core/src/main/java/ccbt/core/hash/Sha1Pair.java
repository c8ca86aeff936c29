package ccbt.core.hash;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import org.agrona.BufferUtil;

/**
 * SHA-1 of two messages of the same length at once, on the CPU's SHA extensions ({@link ShaNi}). Why: the SHA-1
 * round instruction waits for the one before it, and the CPU can run a second message's rounds in that wait, so
 * a pair costs about two thirds of two single hashes (docs/performance.md). Pieces of a torrent have one length,
 * so rechecks, the hash-verify stage and torrent creation hash them in pairs; anything else uses {@link Sha1}.
 *
 * <p>One instance per thread: {@link #update} any number of times with as many bytes for both messages, then
 * {@link #digest}. Available where {@link ShaNi} is.
 */
public final class Sha1Pair {
    private final ShaNi.Lanes lanes = new ShaNi.Lanes(2, 0);

    private Sha1Pair() {
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
        lanes.reset();
    }

    /** Adds {@code bytes} bytes at native address {@code a} to the first message and at {@code b} to the second. */
    public void update(final long a, final long b, final long bytes) {
        lanes.update(a, b, bytes);
    }

    /**
     * True if this process can hash file mappings in place ({@link #updateMapped}); the first call installs the
     * SHA-1 library's SIGBUS handler in front of the JVM's.
     */
    public static boolean canHashMappings() {
        return ShaNi.AVAILABLE && ShaNi.MappingGuard.INSTALLED;
    }

    /**
     * Adds {@code bytes} bytes, a multiple of 64, of a file mapping at {@code a} to the first message and at
     * {@code b} to the second, where both messages so far are a multiple of 64 bytes long; only if
     * {@link #canHashMappings()}. Returns false if they could not be hashed there, most often because a page could
     * not be read (the file shrank after it was mapped, or the disk failed): both messages are then worthless until
     * {@link #reset}, and the caller reads the bytes instead. A fault in the mapping never reaches the JVM.
     */
    public boolean updateMapped(final long a, final long b, final long bytes) {
        return lanes.updateMapped(a, b, bytes);
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
        lanes.update(BufferUtil.address(a) + a.position(), BufferUtil.address(b) + b.position(), bytes);
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
        lanes.finish(outA, offsetA, outB, offsetB);
    }
}
