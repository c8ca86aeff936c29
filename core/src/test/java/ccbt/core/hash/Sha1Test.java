package ccbt.core.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Sha1Test {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * ccbt's library comes first where it loads (Sha1PairTest checks that it does here); else this machine kind has
     * libcrypto (the interop clients need it), and a native path must be the one in use.
     */
    @Test
    void usesANativeImplementationWhereTheSystemHasOne() {
        final boolean hasLibcrypto = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))
                || Files.exists(Path.of("/lib/x86_64-linux-gnu/libcrypto.so.3"));
        assertEquals(ShaNi.AVAILABLE || hasLibcrypto, Sha1.isNative(), Sha1.implementation());
        final Sha1 s = Sha1.create();
        assertTrue(ShaNi.AVAILABLE ? s instanceof Sha1.Native : hasLibcrypto ? s instanceof Sha1.OpenSsl
                : s instanceof Sha1.Jdk, s.getClass().getName());
    }

    /** FIPS 180-2 appendix A vectors: "abc" and the 448-bit two-block message. */
    @Test
    void fipsVectorsOnBothImplementations() throws Exception {
        for (final Sha1 s : implementations()) {
            s.update(ascii("abc"), 0, 3);
            assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", HEX.formatHex(s.digest()));
            final byte[] two = ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
            final ByteBuffer direct = ByteBuffer.allocateDirect(two.length).put(two).flip();
            s.update(direct);
            assertEquals(two.length, direct.position(), "position moved to the limit");
            assertEquals("84983e441c3bd26ebaae4aa1f95129e5e54670f1", HEX.formatHex(s.digest()));
            assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", HEX.formatHex(s.digest()), "empty after a digest");
        }
    }

    /** Random lengths split at random points, fed as heap arrays, heap buffers and direct slices: same as the JDK. */
    @Test
    void agreesWithTheJdkOnSplitInputs() throws Exception {
        final SplittableRandom random = new SplittableRandom(20261126);
        final MessageDigest reference = MessageDigest.getInstance("SHA-1");
        final Sha1[] hashers = implementations();
        for (int round = 0; round < 60; round++) {
            final byte[] data = new byte[random.nextInt(round < 30 ? 300 : 300_000)];
            random.nextBytes(data);
            final byte[] expected = reference.digest(data);
            final ByteBuffer direct = ByteBuffer.allocateDirect(data.length + 16);
            direct.position(16).put(data);
            for (final Sha1 s : hashers) {
                int at = 0;
                int part = 0;
                while (at < data.length) {
                    final int n = Math.min(data.length - at, 1 + random.nextInt(100_000));
                    switch (part++ % 3) {
                        case 0 -> s.update(data, at, n);
                        case 1 -> s.update(ByteBuffer.wrap(data, at, n).slice());
                        default -> s.update(direct.duplicate().limit(16 + at + n).position(16 + at));
                    }
                    at += n;
                }
                final byte[] into = new byte[Sha1.LENGTH + 7];
                s.digest(into, 7);
                assertArrayEquals(expected, java.util.Arrays.copyOfRange(into, 7, into.length),
                        s.getClass().getSimpleName() + " round " + round + ", " + data.length + " bytes");
            }
        }
    }

    @Test
    void digestMatchesComparesAgainstAHashTable() {
        final byte[] table = new byte[3 * Sha1.LENGTH];
        final byte[] abc = HEX.parseHex("a9993e364706816aba3e25717850c26c9cd0d89d");
        System.arraycopy(abc, 0, table, Sha1.LENGTH, Sha1.LENGTH);
        for (final Sha1 s : implementations()) {
            s.update(ascii("abc"), 0, 3);
            assertTrue(s.digestMatches(table, Sha1.LENGTH));
            s.update(ascii("abd"), 0, 3);
            assertFalse(s.digestMatches(table, Sha1.LENGTH));
            s.update(ascii("abc"), 0, 3);
            s.reset();
            s.update(ascii("abc"), 0, 3);
            assertTrue(s.digestMatches(table, Sha1.LENGTH), "reset drops what came before");
        }
    }

    @Test
    void badArgumentsAreRefused() {
        for (final Sha1 s : implementations()) {
            assertThrows(IndexOutOfBoundsException.class, () -> s.update(new byte[4], 2, 3));
        }
        assertThrows(IllegalArgumentException.class, () -> Sha1.OpenSslFunctions.load("md5"));
        assertEquals(null, Sha1.OpenSslFunctions.load("jdk"));
    }

    @Test
    void implementationIsNamed() {
        final String name = Sha1.implementation();
        assertNotNull(name);
        assertTrue(name.startsWith(ShaNi.AVAILABLE ? "ccbt" : Sha1.isNative() ? "OpenSSL" : "JDK"), name);
    }

    /** Every implementation this process can run. */
    private static Sha1[] implementations() {
        final java.util.List<Sha1> all = new java.util.ArrayList<>();
        if (ShaNi.AVAILABLE) {
            all.add(new Sha1.Native());
        }
        final Sha1.OpenSslFunctions f = Sha1.OpenSslFunctions.load("auto");
        if (f != null) {
            all.add(new Sha1.OpenSsl(f));
        }
        all.add(new Sha1.Jdk());
        return all.toArray(Sha1[]::new);
    }

    private static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
