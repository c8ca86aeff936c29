package ccbt.core.hash;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ccbt's SHA-1 library ({@code core/src/main/c/sha1_pair.c}): block compression on the CPU's SHA extensions, for
 * one message ({@link Sha1.Native}) or two side by side ({@link Sha1Pair}). Called through JNI: a JNI method is
 * bound by name, whereas each foreign-function downcall makes the JVM generate classes at run time, which cost
 * every process about 0.2 CPU s of start-up (docs/performance.md). Loaded once per process from the class path;
 * available where the build had a C compiler for x86-64 Linux and the CPU has the SHA extensions.
 * {@code -Dccbt.sha1=openssl} or {@code jdk} leaves it unused.
 *
 * <p>Layout shared by its callers: a state is five native-order 32-bit words; a block is 64 bytes.
 */
final class ShaNi {
    static final int BLOCK = 64;
    private static final String RESOURCE = "/ccbt/native/linux-x86_64/libccbtsha1.so";
    private static final int[] INITIAL_STATE = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};

    /** True if the library is loaded, the CPU can run it and it passed its self-test. */
    static final boolean AVAILABLE = load(System.getProperty("ccbt.sha1", "auto"));

    private ShaNi() {
    }

    /** Compresses {@code blocks} 64-byte blocks from {@code data} into the state at {@code state}. */
    static native void compress1(long state, long data, long blocks);

    /** Compresses {@code blocks} blocks from {@code a} and from {@code b} into the states at those addresses. */
    static native void compress2(long stateA, long stateB, long a, long b, long blocks);

    /** 1 if the CPU has the instructions the library uses. */
    private static native int supported();

    /** Writes the FIPS 180-4 initial state at {@code at}. */
    static void initialState(final UnsafeBuffer memory, final int at) {
        for (int i = 0; i < INITIAL_STATE.length; i++) {
            memory.putInt(at + 4 * i, INITIAL_STATE[i], ByteOrder.nativeOrder());
        }
    }

    /**
     * Pads a message of {@code length} bytes whose last {@code pending} (fewer than 64) wait at {@code at}, where
     * two blocks fit: 0x80, zeros, the length in bits, big-endian. Returns the blocks to compress (1 or 2).
     */
    static int pad(final UnsafeBuffer memory, final int at, final int pending, final long length) {
        final int padded = pending + 1 + Long.BYTES <= BLOCK ? BLOCK : 2 * BLOCK;
        memory.putByte(at + pending, (byte) 0x80);
        memory.setMemory(at + pending + 1, padded - pending - 1 - Long.BYTES, (byte) 0);
        memory.putLong(at + padded - Long.BYTES, length * 8, ByteOrder.BIG_ENDIAN);
        return padded / BLOCK;
    }

    /** Writes the state at {@code at} as a 20-byte digest (big-endian words) into {@code out} at {@code offset}. */
    static void digest(final UnsafeBuffer memory, final int at, final byte[] out, final int offset) {
        java.util.Objects.checkFromIndexSize(offset, Sha1.LENGTH, out.length);
        for (int i = 0; i < 5; i++) {
            final int word = memory.getInt(at + 4 * i, ByteOrder.nativeOrder());
            out[offset + 4 * i] = (byte) (word >>> 24);
            out[offset + 4 * i + 1] = (byte) (word >>> 16);
            out[offset + 4 * i + 2] = (byte) (word >>> 8);
            out[offset + 4 * i + 3] = (byte) word;
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
            // No library or a foreign CPU: libcrypto or the JDK hashes instead.
            return false;
        }
    }

    /** Both entry points over a block and a half, split unevenly, against the JDK: a library that disagrees is not used. */
    private static boolean selfTest() throws Exception {
        final ByteBuffer a = ByteBuffer.allocateDirect(100);
        final ByteBuffer b = ByteBuffer.allocateDirect(100);
        final byte[] heapA = new byte[100];
        final byte[] heapB = new byte[100];
        for (int i = 0; i < 100; i++) {
            heapA[i] = (byte) i;
            heapB[i] = (byte) (255 - i);
        }
        a.put(0, heapA);
        b.put(0, heapB);
        final Sha1Pair pair = new Sha1Pair();
        pair.update(a.slice(0, 30), b.slice(0, 30));
        pair.update(a.slice(30, 70), b.slice(30, 70));
        final byte[] out = new byte[3 * Sha1.LENGTH];
        pair.digest(out, 0, out, Sha1.LENGTH);
        final Sha1 single = new Sha1.Native();
        single.update(a.slice(0, 70));
        single.update(heapA, 70, 30);
        single.digest(out, 2 * Sha1.LENGTH);
        final MessageDigest jdk = MessageDigest.getInstance("SHA-1");
        final byte[] expectedA = jdk.digest(heapA);
        return Arrays.equals(out, 0, Sha1.LENGTH, expectedA, 0, Sha1.LENGTH)
                && Arrays.equals(out, Sha1.LENGTH, 2 * Sha1.LENGTH, jdk.digest(heapB), 0, Sha1.LENGTH)
                && Arrays.equals(out, 2 * Sha1.LENGTH, 3 * Sha1.LENGTH, expectedA, 0, Sha1.LENGTH);
    }
}
