package ccbt.bench.swarm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadTest {
    private static final Payload.TorrentMaker NO_TORRENT = (root, pieceSize, out) -> Files.writeString(out, "stand-in");

    @Test
    void sameSeedSameBytesAndEveryCorruptionIsCaught(@TempDir final Path dir) throws IOException {
        final Payload a = Payload.generate(dir.resolve("a"), 3 * 100_003L, 3, 16384, 7, NO_TORRENT);
        final Payload b = Payload.generate(dir.resolve("b"), 3 * 100_003L, 3, 16384, 7, NO_TORRENT);
        assertThat(a.files()).isEqualTo(b.files());
        assertThat(a.totalBytes()).isEqualTo(300_009L);
        assertThat(a.files()).extracting(Payload.PayloadFile::relativePath)
            .containsExactly("payload/file-000.bin", "payload/file-001.bin", "payload/file-002.bin");
        assertThat(a.verify(a.saveDir())).isEmpty();

        // a copy with one flipped byte in the middle of the last file fails, naming the file
        final Path copy = dir.resolve("copy");
        for (final Payload.PayloadFile f : a.files()) {
            Files.createDirectories(copy.resolve(f.relativePath()).getParent());
            Files.copy(a.saveDir().resolve(f.relativePath()), copy.resolve(f.relativePath()),
                StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(a.verify(copy)).isEmpty();
        final Path last = copy.resolve("payload/file-002.bin");
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, 50_000);
            one.put(0, (byte) (one.get(0) ^ 1)).rewind();
            ch.write(one, 50_000);
        }
        assertThat(a.verify(copy)).hasValueSatisfying(e -> assertThat(e).contains("file-002.bin", "SHA-256"));
        Files.delete(copy.resolve("payload/file-000.bin"));
        assertThat(a.verify(copy)).hasValueSatisfying(e -> assertThat(e).contains("missing", "file-000.bin"));
    }

    @Test
    void singleFilePayloadIsNamedAfterTheFile(@TempDir final Path dir) throws IOException {
        final Payload p = Payload.generate(dir, 4096, 1, 16384, 1, NO_TORRENT);
        assertThat(p.name()).isEqualTo("payload.bin");
        assertThat(Files.size(p.saveDir().resolve("payload.bin"))).isEqualTo(4096);
        assertThat(p.torrent()).hasContent("stand-in");
    }
}
