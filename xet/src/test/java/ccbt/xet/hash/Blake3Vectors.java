package ccbt.xet.hash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The official BLAKE3 test vectors (see the resource file for their source). */
final class Blake3Vectors {
    static final byte[] KEY = "whats the Elvish word for friend".getBytes(StandardCharsets.US_ASCII);

    record Case(int length, byte[] hash, byte[] keyedHash) {
        byte[] input() {
            final byte[] in = new byte[length];
            for (int i = 0; i < length; i++) {
                in[i] = (byte) (i % 251);
            }
            return in;
        }
    }

    private Blake3Vectors() {
    }

    static List<Case> cases() {
        final List<Case> cases = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Blake3Vectors.class.getResourceAsStream("blake3-test-vectors.txt"), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                final String[] f = line.trim().split(" ");
                cases.add(new Case(Integer.parseInt(f[0]), HexFormat.of().parseHex(f[1]),
                        HexFormat.of().parseHex(f[2])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }
}
