package ccbt.xet.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class Blake3Test {

    @Test
    void matchesTheOfficialVectorsInHashAndKeyedModes() {
        assertThat(Blake3Vectors.cases()).hasSizeGreaterThan(20);
        for (final boolean vectorized : new boolean[] {false, true}) {
            final Blake3 plain = Blake3.newHasher(vectorized);
            final Blake3 keyed = Blake3.newKeyedHasher(Blake3Vectors.KEY, vectorized);
            for (final Blake3Vectors.Case c : Blake3Vectors.cases()) {
                final byte[] in = c.input();
                plain.update(in, 0, in.length);
                assertThat(plain.finish()).as("hash of %d bytes, vectorized %s", c.length(), vectorized)
                        .isEqualTo(c.hash());
                keyed.update(in, 0, in.length);
                assertThat(keyed.finish()).as("keyed_hash of %d bytes, vectorized %s", c.length(), vectorized)
                        .isEqualTo(c.keyedHash());
            }
        }
    }

    @Test
    void theDefaultPathFollowsTheModuleTheCpuAndTheProperty() {
        // The parent pom's ccbt.jvm.flags load jdk.incubator.vector; the module's second surefire run forces
        // the scalar path with -Dccbt.blake3.vector=false.
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
        final String forced = System.getProperty(Blake3.VECTOR_PROPERTY, "");
        if (forced.equals("false")) {
            assertThat(Blake3.vectorized()).isFalse();
            assertThat(Blake3.newHasher().isVectorized()).isFalse();
        } else {
            Assumptions.assumeTrue(jdk.incubator.vector.IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256,
                    "no 256-bit vectors on this CPU");
            assertThat(Blake3.vectorized()).isTrue();
            assertThat(Blake3.newHasher().isVectorized()).isTrue();
        }
    }

    @Test
    void theVectorPathMatchesTheOfficialVectorsWhateverTheDefault() {
        // Asked for explicitly, the vector path runs even where the default is scalar (forced or narrow CPU).
        final Blake3 plain = Blake3.newHasher(true);
        final Blake3 keyed = Blake3.newKeyedHasher(Blake3Vectors.KEY, true);
        assertThat(plain.isVectorized()).isTrue();
        assertThat(keyed.isVectorized()).isTrue();
        for (final Blake3Vectors.Case c : Blake3Vectors.cases()) {
            final byte[] in = c.input();
            plain.update(in, 0, in.length);
            assertThat(plain.finish()).as("vector hash of %d bytes", c.length()).isEqualTo(c.hash());
            // The same input in two calls split off the chunk grid: subtrees, then a partial chunk, then more.
            final int half = c.length() / 2 + 1;
            keyed.update(in, 0, Math.min(half, in.length));
            keyed.update(in, Math.min(half, in.length), in.length - Math.min(half, in.length));
            assertThat(keyed.finish()).as("vector keyed_hash of %d bytes in two parts", c.length())
                    .isEqualTo(c.keyedHash());
        }
    }

    @Test
    void officialVectorsFedOneByteAtATime() {
        final Blake3 keyed = Blake3.newKeyedHasher(Blake3Vectors.KEY);
        for (final Blake3Vectors.Case c : Blake3Vectors.cases()) {
            final byte[] in = c.input();
            for (int i = 0; i < in.length; i++) {
                keyed.update(in, i, 1);
            }
            assertThat(keyed.finish()).as("keyed_hash of %d bytes", c.length()).isEqualTo(c.keyedHash());
        }
    }

    private static byte[] bouncyCastle(byte[] key, byte[] data) {
        final Blake3Digest digest = new Blake3Digest(256);
        if (key != null) {
            digest.init(Blake3Parameters.key(key));
        }
        digest.update(data, 0, data.length);
        final byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    @Property(tries = 200)
    void agreesWithBouncyCastleForAnyLengthAndSplit(@ForAll @IntRange(min = 0, max = 60_000) int length,
            @ForAll long seed) {
        final Random random = new Random(seed);
        final byte[] data = new byte[length];
        random.nextBytes(data);
        final byte[] key = new byte[32];
        random.nextBytes(key);
        final Blake3 keyed = Blake3.newKeyedHasher(key, random.nextBoolean());
        int pos = 0;
        while (pos < length) {
            final int n = Math.min(length - pos, random.nextInt(3) == 0 ? random.nextInt(70) : random.nextInt(5000));
            keyed.update(data, pos, n);
            pos += n;
        }
        assertThat(keyed.finish()).isEqualTo(bouncyCastle(key, data));
        final Blake3 plain = Blake3.newHasher(random.nextBoolean());
        plain.update(ByteBuffer.allocateDirect(length).put(data).flip());
        assertThat(plain.finish()).isEqualTo(bouncyCastle(null, data));
    }

    @Test
    void largeInputsWithDeepTreesAgreeWithBouncyCastle() {
        final byte[] data = new byte[(5 << 20) + 123];
        new Random(1).nextBytes(data);
        for (final boolean vectorized : new boolean[] {false, true}) {
            final Blake3 hasher = Blake3.newHasher(vectorized);
            hasher.update(data, 0, data.length);
            assertThat(hasher.finish()).isEqualTo(bouncyCastle(null, data));
        }
    }

    @Test
    void inputsEndingOnAWholeRunOfVectorLanesAgreeWithBouncyCastle() {
        // An input ending exactly on a subtree leaves its two halves on the stack and no current chunk:
        // exercise exact multiples of 8 and 16 chunks (full vector lanes), of the largest subtree, and
        // partial lanes (odd chunk counts), fed at once and in runs, and followed by more input.
        final Random random = new Random(3);
        for (final int length : new int[] {2048, 3072, 5120, 8192, 16384, 16385, 24576, 32768, 65536, 65536 + 1024, 3 * 16384,
                256 * 1024, 256 * 1024 + 1, 768 * 1024}) {
            final byte[] data = new byte[length];
            random.nextBytes(data);
            final byte[] expected = bouncyCastle(Blake3Vectors.KEY, data);
            for (final int piece : new int[] {length, 8192, 16384, 1024, 1000, 3000}) {
                final Blake3 hasher = Blake3.newKeyedHasher(Blake3Vectors.KEY, true);
                for (int pos = 0; pos < length; pos += piece) {
                    hasher.update(data, pos, Math.min(piece, length - pos));
                }
                assertThat(hasher.finish()).as("%d bytes in pieces of %d", length, piece).isEqualTo(expected);
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Blake3.newKeyedHasher(new byte[16])).hasMessageContaining("16");
        assertThatThrownBy(() -> Blake3.newHasher().update(new byte[4], 2, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
