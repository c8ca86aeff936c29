package ccbt.core.hash;

import java.io.InputStream;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Arrays;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * SHA-1 of two messages of the same length at once, on the CPU's SHA extensions through ccbt's own small native
 * library ({@code core/src/main/c/sha1_pair.c}, called through JNI: unlike a foreign-function downcall, a JNI
method needs no classes generated at run time, which cost each process about 0.2 CPU s of start-up). Why: the SHA-1 round instruction waits for the one before it,
 * and the CPU can run a second message's rounds in that wait, so a pair costs about two thirds of two single
 * hashes (docs/performance.md). Pieces of a torrent have one length, so rechecks and the hash-verify stage
 * hash them in pairs; anything else uses {@link Sha1}.
 *
 * <p>One instance per thread: {@link #update} any number of times with the same length for both messages,
 * then {@link #digest}. Available only where the library was built (x86-64 Linux with a C compiler at build
 * time) and the CPU has the SHA extensions; {@code -Dccbt.sha1=openssl} or {@code jdk} turns it off.
 */
public final class Sha1Pair {
    private static final String RESOURCE = "/ccbt/native/linux-x86_64/libccbtsha1.so";
    private static final int BLOCK = 64;
    /** Native memory: the two states (five words each), then a block-and-padding buffer per message. */
    private static final int STATE_A = 0;
    private static final int STATE_B = 32;
    private static final int PENDING_A = 64;
    private static final int PENDING_B = PENDING_A + 2 * BLOCK;
    private static final int MEMORY_BYTES = PENDING_B + 2 * BLOCK;
    private static final int[] INITIAL_STATE = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    private static final boolean AVAILABLE = load(System.getProperty("ccbt.sha1", "auto"));

    /** Freed by the GC with this hasher; the calls keep {@code this} reachable while they pass its addresses. */
    private final UnsafeBuffer memory;
    private final long base;
    /** Re-pointed at the caller's bytes to copy a partial block from them. */
    private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
    /** Bytes of each message so far. */
    private long length;
    /** Bytes of each message waiting in its pending buffer for a whole block (always fewer than 64). */
    private int pending;

    private Sha1Pair() {
        this.memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MEMORY_BYTES, BLOCK));
        this.base = memory.addressOffset();
        reset();
    }

    /** True if this process can hash pairs (library built and loaded, CPU has the SHA extensions). */
    public static boolean isAvailable() {
        return AVAILABLE;
    }

    /** A new pair hasher, reset; only if {@link #isAvailable()}. */
    public static Sha1Pair create() {
        if (!AVAILABLE) {
            throw new IllegalStateException("the SHA-1 pair library is not available in this process");
        }
        return new Sha1Pair();
    }

    /** Starts two new digests. */
    public void reset() {
        for (int i = 0; i < INITIAL_STATE.length; i++) {
            memory.putInt(STATE_A + 4 * i, INITIAL_STATE[i], ByteOrder.nativeOrder());
            memory.putInt(STATE_B + 4 * i, INITIAL_STATE[i], ByteOrder.nativeOrder());
        }
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
            final int take = (int) Math.min(BLOCK - pending, bytes);
            copy(a, PENDING_A + pending, take);
            copy(b, PENDING_B + pending, take);
            pending += take;
            a += take;
            b += take;
            bytes -= take;
            if (pending < BLOCK) {
                return;
            }
            compress(base + STATE_A, base + STATE_B, base + PENDING_A, base + PENDING_B, 1);
            pending = 0;
        }
        final long blocks = bytes / BLOCK;
        if (blocks > 0) {
            compress(base + STATE_A, base + STATE_B, a, b, blocks);
        }
        final int rest = (int) (bytes - blocks * BLOCK);
        if (rest > 0) {
            copy(a + blocks * BLOCK, PENDING_A, rest);
            copy(b + blocks * BLOCK, PENDING_B, rest);
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
     * Finishes both digests (FIPS 180-4 padding: 0x80, zeros, the length in bits), writes the first message's 20
     * bytes to {@code outA} at {@code offsetA} and the second's to {@code outB} at {@code offsetB}, and resets.
     */
    public void digest(final byte[] outA, final int offsetA, final byte[] outB, final int offsetB) {
        java.util.Objects.checkFromIndexSize(offsetA, Sha1.LENGTH, outA.length);
        java.util.Objects.checkFromIndexSize(offsetB, Sha1.LENGTH, outB.length);
        final int padded = pending + 1 + Long.BYTES <= BLOCK ? BLOCK : 2 * BLOCK;
        pad(PENDING_A, padded);
        pad(PENDING_B, padded);
        compress(base + STATE_A, base + STATE_B, base + PENDING_A, base + PENDING_B, padded / BLOCK);
        for (int i = 0; i < 5; i++) {
            putBigEndian(memory.getInt(STATE_A + 4 * i, ByteOrder.nativeOrder()), outA, offsetA + 4 * i);
            putBigEndian(memory.getInt(STATE_B + 4 * i, ByteOrder.nativeOrder()), outB, offsetB + 4 * i);
        }
        reset();
        Reference.reachabilityFence(this);
    }

    private void pad(final int at, final int padded) {
        memory.putByte(at + pending, (byte) 0x80);
        memory.setMemory(at + pending + 1, padded - pending - 1 - Long.BYTES, (byte) 0);
        memory.putLong(at + padded - Long.BYTES, length * 8, ByteOrder.BIG_ENDIAN);
    }

    private void copy(final long from, final int to, final int bytes) {
        source.wrap(from, bytes);
        memory.putBytes(to, source, 0, bytes);
    }

    private static void putBigEndian(final int word, final byte[] out, final int at) {
        out[at] = (byte) (word >>> 24);
        out[at + 1] = (byte) (word >>> 16);
        out[at + 2] = (byte) (word >>> 8);
        out[at + 3] = (byte) word;
    }

    /** Compresses {@code blocks} 64-byte blocks from {@code a} and {@code b} into the states at those addresses. */
    private static native void compress(long stateA, long stateB, long a, long b, long blocks);

    /** 1 if the CPU has the instructions the library uses. */
    private static native int supported();

    /** Loads the library; false where it cannot be used. {@code choice} as for {@link Sha1}. */
    private static boolean load(final String choice) {
        if (!choice.equals("auto") || !"amd64".equals(System.getProperty("os.arch"))) {
            return false;
        }
        try (InputStream in = Sha1Pair.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return false;
            }
            // System.load needs a file; once loaded, the mapping outlives the file.
            final Path file = Files.createTempFile("ccbt-sha1-", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                System.load(file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
            return supported() == 1 && selfTest();
        } catch (final Exception | LinkageError e) {
            // No library, a foreign CPU or a failed self-test: pieces are hashed one at a time instead.
            return false;
        }
    }

    /** Two messages over a block and a half, against the JDK: a library that disagrees is not used. */
    private static boolean selfTest() throws Exception {
        final ByteBuffer a = ByteBuffer.allocateDirect(100);
        final ByteBuffer b = ByteBuffer.allocateDirect(100);
        for (int i = 0; i < 100; i++) {
            a.put(i, (byte) i);
            b.put(i, (byte) (255 - i));
        }
        final Sha1Pair pair = new Sha1Pair();
        pair.update(a.slice(0, 30), b.slice(0, 30));
        pair.update(a.slice(30, 70), b.slice(30, 70));
        final byte[] out = new byte[2 * Sha1.LENGTH];
        pair.digest(out, 0, out, Sha1.LENGTH);
        final byte[] heapA = new byte[100];
        final byte[] heapB = new byte[100];
        a.get(0, heapA);
        b.get(0, heapB);
        final MessageDigest jdk = MessageDigest.getInstance("SHA-1");
        return Arrays.equals(out, 0, Sha1.LENGTH, jdk.digest(heapA), 0, Sha1.LENGTH)
                && Arrays.equals(out, Sha1.LENGTH, 2 * Sha1.LENGTH, jdk.digest(heapB), 0, Sha1.LENGTH);
    }
}
