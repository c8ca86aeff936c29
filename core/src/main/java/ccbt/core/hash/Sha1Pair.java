package ccbt.core.hash;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Arrays;
import org.agrona.BufferUtil;

/**
 * SHA-1 of two messages of the same length at once, on the CPU's SHA extensions through ccbt's own small native
 * library ({@code core/src/main/c/sha1_pair.c}). Why: the SHA-1 round instruction waits for the one before it,
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
    private static final long STATE_A = 0;
    private static final long STATE_B = 32;
    private static final long PENDING_A = 64;
    private static final long PENDING_B = PENDING_A + 2 * BLOCK;
    private static final long MEMORY_BYTES = PENDING_B + 2 * BLOCK;
    private static final int[] INITIAL_STATE = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    private static final ValueLayout.OfLong LENGTH_BIG_ENDIAN = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** All of the address space, to copy from the caller's native addresses without a segment per call. */
    private static final MemorySegment EVERYWHERE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final Functions NATIVE = Functions.load(System.getProperty("ccbt.sha1", "auto"));

    private final Functions f;
    /** Freed by the GC with this hasher; the calls keep {@code this} reachable while they pass its addresses. */
    private final MemorySegment memory;
    private final long base;
    /** Bytes of each message so far. */
    private long length;
    /** Bytes of each message waiting in its pending buffer for a whole block (always fewer than 64). */
    private int pending;

    private Sha1Pair(final Functions f) {
        this.f = f;
        this.memory = Arena.ofAuto().allocate(MEMORY_BYTES, BLOCK);
        this.base = memory.address();
        reset();
    }

    /** True if this process can hash pairs (library built and loaded, CPU has the SHA extensions). */
    public static boolean isAvailable() {
        return NATIVE != null;
    }

    /** A new pair hasher, reset; only if {@link #isAvailable()}. */
    public static Sha1Pair create() {
        if (NATIVE == null) {
            throw new IllegalStateException("the SHA-1 pair library is not available in this process");
        }
        return new Sha1Pair(NATIVE);
    }

    /** Starts two new digests. */
    public void reset() {
        for (int i = 0; i < INITIAL_STATE.length; i++) {
            memory.set(ValueLayout.JAVA_INT, STATE_A + 4L * i, INITIAL_STATE[i]);
            memory.set(ValueLayout.JAVA_INT, STATE_B + 4L * i, INITIAL_STATE[i]);
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
            MemorySegment.copy(EVERYWHERE, a, memory, PENDING_A + pending, take);
            MemorySegment.copy(EVERYWHERE, b, memory, PENDING_B + pending, take);
            pending += take;
            a += take;
            b += take;
            bytes -= take;
            if (pending < BLOCK) {
                return;
            }
            f.blocks2(base + STATE_A, base + STATE_B, base + PENDING_A, base + PENDING_B, 1);
            pending = 0;
        }
        final long blocks = bytes / BLOCK;
        if (blocks > 0) {
            f.blocks2(base + STATE_A, base + STATE_B, a, b, blocks);
        }
        final int rest = (int) (bytes - blocks * BLOCK);
        if (rest > 0) {
            MemorySegment.copy(EVERYWHERE, a + blocks * BLOCK, memory, PENDING_A, rest);
            MemorySegment.copy(EVERYWHERE, b + blocks * BLOCK, memory, PENDING_B, rest);
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
        f.blocks2(base + STATE_A, base + STATE_B, base + PENDING_A, base + PENDING_B, padded / BLOCK);
        for (int i = 0; i < 5; i++) {
            putBigEndian(memory.get(ValueLayout.JAVA_INT, STATE_A + 4L * i), outA, offsetA + 4 * i);
            putBigEndian(memory.get(ValueLayout.JAVA_INT, STATE_B + 4L * i), outB, offsetB + 4 * i);
        }
        reset();
        Reference.reachabilityFence(this);
    }

    private void pad(final long at, final int padded) {
        memory.set(ValueLayout.JAVA_BYTE, at + pending, (byte) 0x80);
        for (long i = at + pending + 1; i < at + padded - Long.BYTES; i++) {
            memory.set(ValueLayout.JAVA_BYTE, i, (byte) 0);
        }
        memory.set(LENGTH_BIG_ENDIAN, at + padded - Long.BYTES, length * 8);
    }

    private static void putBigEndian(final int word, final byte[] out, final int at) {
        out[at] = (byte) (word >>> 24);
        out[at + 1] = (byte) (word >>> 16);
        out[at + 2] = (byte) (word >>> 8);
        out[at + 3] = (byte) word;
    }

    /** The library's functions, bound once per process; pointers travel as {@code long}, as in {@link Sha1}. */
    static final class Functions {
        private final MethodHandle blocks2;

        private Functions(final SymbolLookup lib) {
            final ValueLayout.OfLong pointer = ValueLayout.JAVA_LONG;
            this.blocks2 = Linker.nativeLinker().downcallHandle(lib.findOrThrow("ccbt_sha1_blocks2"),
                    FunctionDescriptor.ofVoid(pointer, pointer, pointer, pointer, ValueLayout.JAVA_LONG));
        }

        /** The functions, or null where they cannot be used; {@code choice} as for {@link Sha1}. */
        static Functions load(final String choice) {
            if (!choice.equals("auto") || ValueLayout.ADDRESS.byteSize() != Long.BYTES) {
                return null;
            }
            try (InputStream in = Sha1Pair.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    return null;
                }
                // dlopen needs a file; once loaded, the mapping outlives the file.
                final Path file = Files.createTempFile("ccbt-sha1-", ".so");
                try {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    final SymbolLookup lib = SymbolLookup.libraryLookup(file, Arena.global());
                    final MethodHandle supported = Linker.nativeLinker().downcallHandle(
                            lib.findOrThrow("ccbt_sha1_supported"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
                    if ((int) supported.invokeExact() != 1) {
                        return null;
                    }
                    final Functions functions = new Functions(lib);
                    return functions.selfTest() ? functions : null;
                } finally {
                    Files.deleteIfExists(file);
                }
            } catch (final Throwable e) {
                // No library, a foreign CPU or a failed self-test: pieces are hashed one at a time instead.
                return null;
            }
        }

        /** Two messages over a block and a half, against the JDK: a library that disagrees is not used. */
        private boolean selfTest() throws Exception {
            final byte[] a = new byte[100];
            final byte[] b = new byte[100];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) i;
                b[i] = (byte) (255 - i);
            }
            final Sha1Pair pair = new Sha1Pair(this);
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment sa = arena.allocateFrom(ValueLayout.JAVA_BYTE, a);
                final MemorySegment sb = arena.allocateFrom(ValueLayout.JAVA_BYTE, b);
                pair.update(sa.address(), sb.address(), 30);
                pair.update(sa.address() + 30, sb.address() + 30, 70);
            }
            final byte[] out = new byte[2 * Sha1.LENGTH];
            pair.digest(out, 0, out, Sha1.LENGTH);
            final MessageDigest jdk = MessageDigest.getInstance("SHA-1");
            return Arrays.equals(out, 0, Sha1.LENGTH, jdk.digest(a), 0, Sha1.LENGTH)
                    && Arrays.equals(out, Sha1.LENGTH, 2 * Sha1.LENGTH, jdk.digest(b), 0, Sha1.LENGTH);
        }

        void blocks2(final long stateA, final long stateB, final long a, final long b, final long blocks) {
            try {
                blocks2.invokeExact(stateA, stateB, a, b, blocks);
            } catch (final Throwable e) {
                throw new IllegalStateException("ccbt_sha1_blocks2", e);
            }
        }
    }
}
