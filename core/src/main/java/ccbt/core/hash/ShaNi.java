package ccbt.core.hash;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ccbt's SHA-1 library ({@code core/src/main/c/sha1_pair.c}): block compression on the CPU's SHA extensions, for
 * one message ({@link Sha1.Native}) or two side by side ({@link Sha1Pair}); {@link Lanes} does the streaming and
 * padding both share. Called through JNI: a JNI method is bound by name, whereas each foreign-function downcall
 * makes the JVM generate classes at run time, about 0.1 CPU s of every process's start-up (docs/decisions.md).
 * Loaded once per process from the class path; available where the build had a C compiler for x86-64 Linux and
 * the CPU has the SHA extensions. {@code -Dccbt.sha1=openssl} or {@code jdk} leaves it unused.
 */
final class ShaNi {
    static final int BLOCK = 64;
    private static final String RESOURCE = "/ccbt/native/linux-x86_64/libccbtsha1.so";
    private static final int[] INITIAL_STATE = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};

    /**
     * SHA-1 of {@link #selfTestMessage} 0 and 1, as another implementation gives them (Python's hashlib; a test checks
     * them against the JDK's): the self-test compares with these rather than ask the JDK, whose first
     * {@code MessageDigest} costs a process 20 ms of provider look-up. Declared before {@link #AVAILABLE}, whose
     * initialiser runs the self-test.
     */
    static final byte[] SELF_TEST_DIGEST_0 = HexFormat.of().parseHex("1e6634bfaebc0348298105923d0f26e47aa33ff5");
    static final byte[] SELF_TEST_DIGEST_1 = HexFormat.of().parseHex("3a8ee007ba60c198cb1f580463b2d0f3234f3c4d");

    /** True if the library is loaded, the CPU can run it and it passed its self-test. */
    static final boolean AVAILABLE = load(System.getProperty("ccbt.sha1", "auto"));

    private ShaNi() {
    }

    /** Compresses {@code blocks} 64-byte blocks from {@code data} into the state (five native-order words) at {@code state}. */
    private static native void compress1(long state, long data, long blocks);

    /** Compresses {@code blocks} blocks from {@code a} and from {@code b} into the states at those addresses. */
    private static native void compress2(long stateA, long stateB, long a, long b, long blocks);

    /** 1 if the CPU has the instructions the library uses. */
    private static native int supported();

    /**
     * {@link #compress2} over memory that may fault (a file mapping): 1 if done, 0 if a page could not be read, -1 if
     * the library's table of guarded threads is full (nothing hashed). Only once {@link MappingGuard#INSTALLED}.
     */
    private static native int compress2Guarded(long stateA, long stateB, long a, long b, long blocks);

    /** Puts the library's SIGBUS handler in front of the JVM's; 1 if done. */
    private static native int installMappingGuard();

    /**
     * The library's SIGBUS handler, installed on first use: a process that never hashes a mapping keeps the JVM's
     * handling of the signal untouched.
     */
    static final class MappingGuard {
        static final boolean INSTALLED = AVAILABLE && installMappingGuard() == 1;

        private MappingGuard() {
        }
    }

    /**
     * One message, or two of the same length, streamed through the compression: the states, each message's partial
     * last block and its FIPS 180-4 padding, all in native memory. Not thread-safe.
     */
    static final class Lanes {
        /** Lane {@code i}'s state at {@code 32 * i}, its partial block and padding room at {@code PENDING + 128 * i}. */
        private static final int PENDING = 64;

        private final int count;
        /** Freed by the GC with this object; the calls keep {@code this} reachable while they pass its addresses. */
        private final UnsafeBuffer memory;
        private final long base;
        /** Offset of the scratch bytes after the lanes, through which heap input is copied. */
        private final int scratch;
        private final int scratchBytes;
        /** Re-pointed at the caller's bytes to copy a partial block from them. */
        private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
        /** Bytes of each message so far. */
        private long length;
        /** Bytes of each message waiting for a whole block (always fewer than 64). */
        private int pending;

        /** {@code count} lanes (1 or 2), and {@code scratchBytes} for {@link #updateFromHeap} (one lane only). */
        Lanes(final int count, final int scratchBytes) {
            if (count != 1 && count != 2 || count == 2 && scratchBytes != 0) {
                throw new IllegalArgumentException(count + " lanes with " + scratchBytes + " scratch bytes");
            }
            this.count = count;
            this.scratch = PENDING + 2 * BLOCK * count;
            this.scratchBytes = scratchBytes;
            this.memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(scratch + scratchBytes, BLOCK));
            this.base = memory.addressOffset();
            reset();
        }

        /** Starts new messages. */
        void reset() {
            for (int lane = 0; lane < count; lane++) {
                for (int i = 0; i < INITIAL_STATE.length; i++) {
                    memory.putInt(32 * lane + 4 * i, INITIAL_STATE[i], ByteOrder.nativeOrder());
                }
            }
            length = 0;
            pending = 0;
        }

        /** Adds {@code bytes} bytes at native address {@code a} to lane 0 and, with two lanes, at {@code b} to lane 1. */
        void update(long a, long b, long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative length " + bytes);
            }
            length += bytes;
            if (pending > 0) {
                final int take = (int) Math.min(BLOCK - pending, bytes);
                copyIn(a, b, pending, take);
                pending += take;
                a += take;
                b += take;
                bytes -= take;
                if (pending < BLOCK) {
                    return;
                }
                compress(base + PENDING, base + PENDING + 2 * BLOCK, 1);
                pending = 0;
            }
            final long blocks = bytes / BLOCK;
            if (blocks > 0) {
                compress(a, b, blocks);
            }
            final int rest = (int) (bytes - blocks * BLOCK);
            if (rest > 0) {
                copyIn(a + blocks * BLOCK, b + blocks * BLOCK, 0, rest);
                pending = rest;
            }
            Reference.reachabilityFence(this);
        }

        /**
         * {@link #update} of two lanes for whole blocks of memory that may fault, such as a file mapping, at a block
         * boundary of both messages. False if they could not be hashed there: a page could not be read (the file
         * shrank under the mapping, or the disk failed), or more threads than the library's guard table holds hash
         * mappings at once; the messages are then worthless until {@link #reset}, and the caller reads the bytes
         * instead. Never touches the memory from Java, where such a fault would be an error of the JVM's.
         */
        boolean updateMapped(final long a, final long b, final long bytes) {
            if (count != 2 || pending != 0 || bytes < 0 || bytes % BLOCK != 0 || !MappingGuard.INSTALLED) {
                throw new IllegalStateException("mapped update of " + bytes + " bytes with " + count + " lanes and "
                    + pending + " bytes pending");
            }
            final int done = compress2Guarded(base, base + 32, a, b, bytes / BLOCK);
            length += bytes;
            Reference.reachabilityFence(this);
            return done == 1;
        }

        /** Adds {@code n} bytes of {@code bytes} from {@code offset} to the one lane, through the scratch bytes. */
        void updateFromHeap(final byte[] bytes, final int offset, final int n) {
            Objects.checkFromIndexSize(offset, n, bytes.length);
            if (scratchBytes == 0 && n > 0) {
                throw new IllegalStateException("these lanes take native memory only");
            }
            for (int done = 0; done < n; ) {
                final int slice = Math.min(n - done, scratchBytes);
                memory.putBytes(scratch, bytes, offset + done, slice);
                update(base + scratch, 0, slice);
                done += slice;
            }
        }

        /**
         * Pads and finishes: lane 0's digest goes to {@code outA} at {@code offsetA}, lane 1's (two lanes) to
         * {@code outB} at {@code offsetB}, 20 bytes each; then starts new messages.
         */
        void finish(final byte[] outA, final int offsetA, final byte[] outB, final int offsetB) {
            Objects.checkFromIndexSize(offsetA, Sha1.LENGTH, outA.length);
            if (count == 2) {
                Objects.checkFromIndexSize(offsetB, Sha1.LENGTH, outB.length);
            }
            // 0x80, zeros, the length in bits (big-endian): one block, or two if the length does not fit after it.
            final int padded = pending + 1 + Long.BYTES <= BLOCK ? BLOCK : 2 * BLOCK;
            for (int lane = 0; lane < count; lane++) {
                final int at = PENDING + 2 * BLOCK * lane;
                memory.putByte(at + pending, (byte) 0x80);
                memory.setMemory(at + pending + 1, padded - pending - 1 - Long.BYTES, (byte) 0);
                memory.putLong(at + padded - Long.BYTES, length * 8, ByteOrder.BIG_ENDIAN);
            }
            compress(base + PENDING, base + PENDING + 2 * BLOCK, padded / BLOCK);
            digestOf(0, outA, offsetA);
            if (count == 2) {
                digestOf(1, outB, offsetB);
            }
            reset();
            Reference.reachabilityFence(this);
        }

        private void compress(final long a, final long b, final long blocks) {
            if (count == 1) {
                compress1(base, a, blocks);
            } else {
                compress2(base, base + 32, a, b, blocks);
            }
        }

        private void copyIn(final long a, final long b, final int into, final int n) {
            source.wrap(a, n);
            memory.putBytes(PENDING + into, source, 0, n);
            if (count == 2) {
                source.wrap(b, n);
                memory.putBytes(PENDING + 2 * BLOCK + into, source, 0, n);
            }
        }

        /** Lane {@code lane}'s state as a digest: its five words, big-endian. */
        private void digestOf(final int lane, final byte[] out, final int offset) {
            for (int i = 0; i < 5; i++) {
                final int word = memory.getInt(32 * lane + 4 * i, ByteOrder.nativeOrder());
                out[offset + 4 * i] = (byte) (word >>> 24);
                out[offset + 4 * i + 1] = (byte) (word >>> 16);
                out[offset + 4 * i + 2] = (byte) (word >>> 8);
                out[offset + 4 * i + 3] = (byte) word;
            }
        }
    }

    private static boolean load(final String choice) {
        if (!choice.equals("auto") || !"amd64".equals(System.getProperty("os.arch"))) {
            return false;
        }
        try (InputStream in = ShaNi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return false;
            }
            // System.load needs a file; once loaded, the mapping outlives the file. Named here, not by
            // Files.createTempFile, whose SecureRandom costs the process a provider look-up (20 ms); created with
            // O_EXCL and owner-only permissions all the same, so nobody else's file or link is ever loaded.
            final Path file = Path.of(System.getProperty("java.io.tmpdir"), "ccbt-sha1-" + ProcessHandle.current().pid()
                + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".so");
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
                    in.transferTo(out);
                }
                System.load(file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
            return supported() == 1 && selfTest();
        } catch (final Exception | LinkageError e) {
            // No library or a foreign CPU: libcrypto or the JDK hashes instead.
            return false;
        }
    }

    /** The self-test's messages, 100 bytes each: 0, 1, 2, ... (message 0) and 255, 254, 253, ... (message 1). */
    static byte[] selfTestMessage(final int which) {
        final byte[] m = new byte[100];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) (which == 0 ? i : 255 - i);
        }
        return m;
    }

    /**
     * Both entry points over a block and a half, split unevenly, against known digests: a library that disagrees is
     * not used. It drives {@link Lanes} directly, not {@link Sha1}: it runs inside this class's initialisation, which
     * {@link Sha1}'s waits for.
     */
    private static boolean selfTest() {
        final byte[] a = selfTestMessage(0);
        final byte[] b = selfTestMessage(1);
        final Lanes pair = new Lanes(2, 0);
        final Lanes single = new Lanes(1, 64);
        final UnsafeBuffer native2 = new UnsafeBuffer(BufferUtil.allocateDirectAligned(200, BLOCK));
        native2.putBytes(0, a);
        native2.putBytes(100, b);
        final long at = native2.addressOffset();
        pair.update(at, at + 100, 30);
        pair.update(at + 30, at + 130, 70);
        single.update(at, 0, 70);
        single.updateFromHeap(a, 70, 30);
        final byte[] out = new byte[3 * Sha1.LENGTH];
        pair.finish(out, 0, out, Sha1.LENGTH);
        single.finish(out, 2 * Sha1.LENGTH, null, 0);
        Reference.reachabilityFence(native2);
        return Arrays.equals(out, 0, Sha1.LENGTH, SELF_TEST_DIGEST_0, 0, Sha1.LENGTH)
                && Arrays.equals(out, Sha1.LENGTH, 2 * Sha1.LENGTH, SELF_TEST_DIGEST_1, 0, Sha1.LENGTH)
                && Arrays.equals(out, 2 * Sha1.LENGTH, 3 * Sha1.LENGTH, SELF_TEST_DIGEST_0, 0, Sha1.LENGTH);
    }
}
