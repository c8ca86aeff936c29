package ccbt.pipeline.xet;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.sample.SampleDataset;
import ccbt.store.FileLayout;
import ccbt.store.PieceStore;
import ccbt.store.Preallocation;
import ccbt.store.StoredFile;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.ChunkHashList;
import ccbt.xet.hash.XetHash;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pieces verified in any order give each file the same Xet chunks and file hash as chunking the file whole. */
class TorrentChunkerTest {
    @TempDir
    Path tmp;

    @Test
    void outOfOrderPiecesGiveTheWholeFileHashes() throws Exception {
        final List<StoredFile> files = List.of(
            new StoredFile("t/a.bin", 700_001, false),
            new StoredFile("t/empty", 0, false),
            new StoredFile("t/b.bin", 1_333_333, false),
            new StoredFile("t/c.bin", 50_000, false));
        final Path source = tmp.resolve("source");
        long seed = 1;
        for (final StoredFile f : files) {
            SampleDataset.writeFile(source.resolve(f.relativePath()), f.length(), seed++);
        }
        final int pieceLength = 48 * 1024;
        final FileLayout layout = new FileLayout(files, pieceLength);
        final Path target = tmp.resolve("target");
        for (int run = 0; run < 3; run++) {
            try (PieceStore store = PieceStore.open(target.resolve("run" + run), layout, Preallocation.SPARSE)) {
                final XetHash[] hashes = new XetHash[files.size()];
                final long[] chunkedBytes = new long[files.size()];
                final TorrentChunker chunker = new TorrentChunker(layout, store, new TorrentChunker.Sink() {
                    @Override
                    public void chunk(final int file, final long offset, final int length, final XetHash hash) {
                        assertThat(offset).isEqualTo(chunkedBytes[file]);
                        chunkedBytes[file] += length;
                    }

                    @Override
                    public void fileDone(final int file, final XetHash fileHash, final int chunks) {
                        assertThat(hashes[file]).isNull();
                        hashes[file] = fileHash;
                    }
                });
                assertThat(hashes[1]).as("an empty file is done at once").isNotNull();

                final List<Integer> order = new ArrayList<>();
                for (int p = 0; p < layout.pieceCount(); p++) {
                    order.add(p);
                }
                Collections.shuffle(order, new Random(run));
                // Writes lag behind verification by a few pieces, as the disk-write stage does.
                final List<Integer> unwritten = new ArrayList<>();
                for (final int piece : order) {
                    final ByteBuffer data = pieceOf(source, layout, piece);
                    chunker.pieceVerified(piece, data);
                    store.writePiece(piece, data);
                    unwritten.add(piece);
                    if (unwritten.size() > 3) {
                        chunker.pieceWritten(unwritten.remove(0));
                    }
                }
                unwritten.forEach(chunker::pieceWritten);
                chunker.finish();

                assertThat(chunker.filesLeft()).isZero();
                for (int f = 0; f < files.size(); f++) {
                    assertThat(chunkedBytes[f]).isEqualTo(files.get(f).length());
                    assertThat(hashes[f]).as(files.get(f).relativePath())
                        .isEqualTo(wholeFileHash(source.resolve(files.get(f).relativePath())));
                }
            }
        }
    }

    @Test
    void anAdoptedChunkListStandsForTheFileWithoutReadingItBack() throws Exception {
        final List<StoredFile> files = List.of(new StoredFile("t/a.bin", 900_000, false),
            new StoredFile("t/b.bin", 300_000, false));
        final Path source = tmp.resolve("source");
        SampleDataset.writeFile(source.resolve("t/a.bin"), 900_000, 11);
        SampleDataset.writeFile(source.resolve("t/b.bin"), 300_000, 12);
        final ChunkHashList aChunks = new ChunkHashList();
        final XetChunkHasher whole = new XetChunkHasher((o, l, h) -> aChunks.add(h, l));
        whole.update(Files.readAllBytes(source.resolve("t/a.bin")), 0, 900_000);
        whole.finish();
        final ChunkList aList = ChunkList.of(aChunks);

        final FileLayout layout = new FileLayout(files, 64 * 1024);
        try (PieceStore store = PieceStore.open(tmp.resolve("target"), layout, Preallocation.SPARSE)) {
            for (int p = 0; p < layout.pieceCount(); p++) {
                store.writePiece(p, pieceOf(source, layout, p));
            }
            final XetHash[] hashes = new XetHash[2];
            final List<long[]> aSeen = new ArrayList<>();
            final TorrentChunker chunker = new TorrentChunker(layout, store, new TorrentChunker.Sink() {
                @Override
                public void chunk(final int file, final long offset, final int length, final XetHash hash) {
                    if (file == 0) {
                        aSeen.add(new long[] {offset, length});
                    }
                }

                @Override
                public void fileDone(final int file, final XetHash fileHash, final int chunks) {
                    hashes[file] = fileHash;
                }
            });
            for (int p = 0; p < layout.pieceCount(); p++) {
                chunker.pieceWritten(p);
            }
            // a.bin's bytes on disk are overwritten: only a read-back could notice
            try (FileChannel ch = FileChannel.open(tmp.resolve("target/t/a.bin"), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(900_000), 0);
            }
            chunker.adopt(0, aList);
            chunker.adopt(1, ChunkList.of(new ChunkHashList())); // wrong length for b.bin: ignored, b is read
            chunker.finish();

            assertThat(chunker.filesLeft()).isZero();
            assertThat(hashes[0]).isEqualTo(wholeFileHash(source.resolve("t/a.bin"))).isEqualTo(aList.fileHash());
            assertThat(aSeen).hasSize(aList.size());
            long offset = 0;
            for (int i = 0; i < aList.size(); i++) {
                assertThat(aSeen.get(i)).containsExactly(offset, aList.length(i));
                offset += aList.length(i);
            }
            assertThat(hashes[1]).isEqualTo(wholeFileHash(source.resolve("t/b.bin")));
        }
    }

    private static ByteBuffer pieceOf(final Path root, final FileLayout layout, final int piece) throws Exception {
        final ByteBuffer data = ByteBuffer.allocateDirect(layout.pieceLength(piece));
        layout.forEachSpan(piece, (file, offsetInFile, length, offsetInRange) -> {
            try (FileChannel ch = FileChannel.open(root.resolve(layout.file(file).relativePath()))) {
                ch.read(data.slice(offsetInRange, length), offsetInFile);
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return data;
    }

    private static XetHash wholeFileHash(final Path file) throws Exception {
        final XetChunkHasher hasher = new XetChunkHasher((o, l, h) -> { });
        try (InputStream in = Files.newInputStream(file)) {
            final byte[] buf = new byte[100_000];
            int n;
            while ((n = in.read(buf)) >= 0) {
                hasher.update(buf, 0, n);
            }
        }
        hasher.finish();
        return hasher.fileHash();
    }
}
