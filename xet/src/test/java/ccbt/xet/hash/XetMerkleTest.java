package ccbt.xet.hash;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Reference vectors: {@code test_correctness} in xet-core's {@code merklehash/src/aggregated_hashes.rs}
 * (cas node hash = {@link XetMerkle#root}, file node hash with salt = {@link XetMerkle#fileHash}).
 */
class XetMerkleTest {
    private static final String H1 = "cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6";
    private static final String H2 = "c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72";
    private static final String H3 = "0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37";
    private static final String H4 = "adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784";
    private static final String ZERO = "0".repeat(64);

    private static ChunkHashList list(Object... hashAndLength) {
        final ChunkHashList list = new ChunkHashList(1);
        for (int i = 0; i < hashAndLength.length; i += 2) {
            list.add(XetHash.fromHex((String) hashAndLength[i]), (Integer) hashAndLength[i + 1]);
        }
        return list;
    }

    private static void check(ChunkHashList list, String root, String fileHash) {
        assertThat(XetMerkle.root(list).hex()).isEqualTo(root);
        assertThat(XetMerkle.xorbHash(list).hex()).isEqualTo(root);
        assertThat(XetMerkle.fileHash(list).hex()).isEqualTo(fileHash);
    }

    @Test
    void emptyListHashesToZero() {
        check(list(), ZERO, ZERO);
        assertThat(XetMerkle.fileHash(list(), XetHash.fromHex(
                "c1cdea79b61cd4776c9f3f8e08767fd5f42e33f9cec8c13d01b947901fad1954")).hex()).isEqualTo(ZERO);
    }

    @Test
    void singleEntryIsItsOwnRoot() {
        check(list(ZERO, 0), ZERO, "638a6bc391964a85939d48f008e8bdbae6a7975e7ca2d87a3ce2492f4e4d8a4c");
        check(list(H1, 100), H1, "8e16257caa3fe079d484d872a8975264b2ff683b0d6db9028cc7c0f968a45661");
    }

    @Test
    void smallTreesMatchXetCore() {
        check(list(H1, 100, H2, 200, H3, 300),
                "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc",
                "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715");
        check(list(H1, 100, H1, 100, H1, 100, H1, 100),
                "89f2ada89ff8c96763c6b25010e6dd76a4c05b1466207633ea559acf2093211b",
                "2cdba690d0e09563596e0cda626d43eb4c96ef1e994fe72d9b2f5a83cfcd36dd");
        check(list(H1, 100, H2, 200, H1, 100, H2, 200, H3, 300, H4, 400),
                "52c826f99507aa05d0b45e9837fa1709e0485425cfbcb1e80db3905cf98b3ee9",
                "91d21684db364c8883ab8209fa5eb2e781cf07f37e1fa43e731c30839afe422f");
    }

    @Test
    void saltedFileHashMatchesXetCore() {
        assertThat(XetMerkle.fileHash(list(H1, 100, H2, 200, H3, 300),
                XetHash.fromHex("b286606709ef32a1cfede1e603a39f83fef56772d8234c0e35d8920071d80b69")).hex())
                .isEqualTo("337f1f046e4cfc1057f0f3edbd87cf977fdfaf3c2b0c0031ca2d1d2a34aa2270");
    }

    @Test
    void largeTreesAreDeterministicAndSensitiveToEveryEntry() {
        final ChunkHashList a = new ChunkHashList();
        final ChunkHashList b = new ChunkHashList();
        for (int i = 0; i < 1000; i++) {
            final byte[] data = Integer.toString(i).getBytes();
            a.add(XetHashes.chunkHash(data, 0, data.length), data.length);
            b.add(XetHashes.chunkHash(data, 0, data.length), i == 500 ? data.length + 1 : data.length);
        }
        assertThat(XetMerkle.root(a)).isEqualTo(XetMerkle.root(a));
        assertThat(XetMerkle.root(a)).isNotEqualTo(XetMerkle.root(b));
        assertThat(a.size()).isEqualTo(1000);
    }
}
