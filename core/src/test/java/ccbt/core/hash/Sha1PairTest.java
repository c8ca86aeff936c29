package ccbt.core.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha1PairTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The self-test's expected digests (taken from another implementation) are the JDK's too. */
    @Test
    void theLibrarysSelfTestExpectsTheJdksDigests() throws Exception {
        assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(ShaNi.selfTestMessage(0)), ShaNi.SELF_TEST_DIGEST_0);
        assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(ShaNi.selfTestMessage(1)), ShaNi.SELF_TEST_DIGEST_1);
    }

    /**
     * The build compiles the library wherever it has a C compiler for x86-64 Linux, and this machine kind's CPUs
     * have the SHA extensions: here the pair hasher must be in use, not silently skipped.
     */
    @Test
    void availableOnThisMachineKind() throws Exception {
        final boolean built = Sha1Pair.class.getResource("/ccbt/native/linux-x86_64/libccbtsha1.so") != null;
        final boolean shaExtensions = Files.readString(Path.of("/proc/cpuinfo")).contains(" sha_ni");
        assertEquals(built && shaExtensions, Sha1Pair.isAvailable(), "built " + built + ", sha_ni " + shaExtensions);
        if (Files.exists(Path.of("/usr/bin/cc")) && "amd64".equals(System.getProperty("os.arch"))) {
            assertTrue(built, "a C compiler is here, so the build must have made the library");
        }
    }

    /** FIPS 180-2 appendix A vectors, as the two messages of one pair, and the empty message. */
    @Test
    void fipsVectors() {
        if (!Sha1Pair.isAvailable()) {
            return;
        }
        final Sha1Pair pair = Sha1Pair.create();
        final byte[] out = new byte[40];
        final ByteBuffer abc = direct(ascii("abc"));
        final ByteBuffer cba = direct(ascii("cba"));
        pair.update(abc, cba);
        assertEquals(3, abc.position(), "positions moved to the limits");
        pair.digest(out, 0, out, 20);
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", HEX.formatHex(out, 0, 20));
        assertArrayEquals(jdk(ascii("cba")), Arrays.copyOfRange(out, 20, 40));

        final byte[] two = ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
        pair.update(direct(two), direct(two));
        pair.digest(out, 0, out, 20);
        assertEquals("84983e441c3bd26ebaae4aa1f95129e5e54670f1", HEX.formatHex(out, 0, 20));
        assertEquals("84983e441c3bd26ebaae4aa1f95129e5e54670f1", HEX.formatHex(out, 20, 40));

        pair.digest(out, 0, out, 20);
        assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", HEX.formatHex(out, 0, 20), "empty after a digest");
        assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", HEX.formatHex(out, 20, 40));
    }

    /**
     * Random pairs of random lengths (every padding case around 55, 56, 64 and 119 bytes included), fed in random
     * splits from unaligned addresses: both digests equal the JDK's.
     */
    @Test
    void agreesWithTheJdkOnSplitInputs() {
        if (!Sha1Pair.isAvailable()) {
            return;
        }
        final SplittableRandom random = new SplittableRandom(20261127);
        final Sha1Pair pair = Sha1Pair.create();
        final int[] edges = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 16384};
        for (int round = 0; round < 120; round++) {
            final int length = round < edges.length ? edges[round] : random.nextInt(round < 60 ? 400 : 600_000);
            final byte[] a = new byte[length];
            final byte[] b = new byte[length];
            random.nextBytes(a);
            random.nextBytes(b);
            final ByteBuffer da = ByteBuffer.allocateDirect(length + 7).position(random.nextInt(8) % 7);
            final ByteBuffer db = ByteBuffer.allocateDirect(length + 7).position(3);
            da.slice().put(a);
            db.slice().put(b);
            int at = 0;
            while (at < length) {
                final int part = Math.min(length - at, 1 + random.nextInt(round % 2 == 0 ? 70 : 200_000));
                pair.update(da.slice(da.position() + at, part), db.slice(db.position() + at, part));
                at += part;
            }
            final byte[] out = new byte[40];
            pair.digest(out, 0, out, 20);
            assertArrayEquals(jdk(a), Arrays.copyOfRange(out, 0, 20), "first message, length " + length);
            assertArrayEquals(jdk(b), Arrays.copyOfRange(out, 20, 40), "second message, length " + length);
        }
    }

    @Test
    void hashesAFileMappingInPlace(@TempDir final Path dir) throws Exception {
        if (!Sha1Pair.isAvailable()) {
            return;
        }
        assertTrue(Sha1Pair.canHashMappings());
        final byte[] data = new byte[2 << 20];
        new SplittableRandom(5).nextBytes(data);
        final Path file = Files.write(dir.resolve("pieces"), data);
        final int half = data.length / 2;
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final long at = ch.map(FileChannel.MapMode.READ_ONLY, 0, data.length, arena).address();
            final Sha1Pair pair = Sha1Pair.create();
            assertTrue(pair.updateMapped(at, at + half, 64 * 1000));
            assertTrue(pair.updateMapped(at + 64 * 1000, at + half + 64 * 1000, half - 64 * 1000));
            final byte[] out = new byte[40];
            pair.digest(out, 0, out, 20);
            assertArrayEquals(jdk(Arrays.copyOfRange(data, 0, half)), Arrays.copyOfRange(out, 0, 20));
            assertArrayEquals(jdk(Arrays.copyOfRange(data, half, data.length)), Arrays.copyOfRange(out, 20, 40));
            assertThrows(IllegalStateException.class, () -> pair.updateMapped(at, at + half, 63));
        }
    }

    /**
     * A file cut short under its mapping raises SIGBUS when the hash reaches a page past its new end: the hash says
     * so, the process lives on, and a fault in the JVM's own access to a mapping still becomes its exception.
     */
    @Test
    void aFileTruncatedUnderItsMappingFailsTheHashNotTheProcess(@TempDir final Path dir) throws Exception {
        if (!Sha1Pair.isAvailable()) {
            return;
        }
        final byte[] data = new byte[1 << 20];
        new SplittableRandom(6).nextBytes(data);
        final Path file = Files.write(dir.resolve("shrinks"), data);
        final Path other = Files.write(dir.resolve("also-shrinks"), data);
        final Sha1Pair pair = Sha1Pair.create();
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel otherCh = FileChannel.open(other, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final long at = ch.map(FileChannel.MapMode.READ_ONLY, 0, data.length, arena).address();
            final MemorySegment jvmMapped = otherCh.map(FileChannel.MapMode.READ_ONLY, 0, data.length, arena);
            ch.truncate(4096);
            otherCh.truncate(0);
            for (int round = 0; round < 3; round++) {
                pair.reset();
                assertEquals(false, pair.updateMapped(at, at + data.length / 2, data.length / 2), "round " + round);
            }
            assertThrows(InternalError.class, () -> jvmMapped.get(ValueLayout.JAVA_BYTE, 0));
            // Within the file's new end, the same hasher works as before.
            pair.reset();
            assertTrue(pair.updateMapped(at, at + 2048, 2048));
            final byte[] out = new byte[40];
            pair.digest(out, 0, out, 20);
            assertArrayEquals(jdk(Arrays.copyOfRange(data, 0, 2048)), Arrays.copyOfRange(out, 0, 20));
            assertArrayEquals(jdk(Arrays.copyOfRange(data, 2048, 4096)), Arrays.copyOfRange(out, 20, 40));
        }
    }

    @Test
    void refusesMessagesOfDifferentLengthsAndHeapBuffers() {
        if (!Sha1Pair.isAvailable()) {
            assertThrows(IllegalStateException.class, Sha1Pair::create);
            return;
        }
        final Sha1Pair pair = Sha1Pair.create();
        assertThrows(IllegalArgumentException.class,
                () -> pair.update(ByteBuffer.allocateDirect(10), ByteBuffer.allocateDirect(11)));
        assertThrows(IllegalArgumentException.class,
                () -> pair.update(ByteBuffer.allocate(10), ByteBuffer.allocateDirect(10)));
        assertThrows(IndexOutOfBoundsException.class, () -> pair.digest(new byte[20], 1, new byte[20], 0));
    }

    private static ByteBuffer direct(final byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] jdk(final byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }
}
