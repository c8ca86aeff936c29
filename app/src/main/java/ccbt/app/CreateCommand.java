package ccbt.app;

import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ccbt create PATH}: makes a v1 .torrent of a file or directory, with a progress bar while hashing. */
@Command(name = "create", description = "Create a .torrent for a file or directory.")
final class CreateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "File or directory to share")
    Path source;

    @Option(names = "--piece-size", paramLabel = "SIZE", description = "Piece size, a multiple of 16KiB (default: automatic)")
    String pieceSize;

    @Option(names = "--tracker", paramLabel = "URL", description = "Announce URL (repeatable; each its own tier)")
    List<String> trackers = new ArrayList<>();

    @Option(names = "--private", description = "Mark the torrent private (BEP 27)")
    boolean privateFlag;

    @Option(names = "--comment", description = "Comment stored in the torrent")
    String comment;

    @Option(names = "--xet", description = "Record each file's Xet file hash in the torrent (a second read of every file; see docs/xet.md)")
    boolean xet;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (default: NAME.torrent)")
    Path output;

    @Override
    public Integer call() throws Exception {
        final TorrentBuild build = new TorrentBuild(source).trackers(trackers).privateFlag(privateFlag)
            .comment(comment).xet(xet).output(output);
        if (pieceSize != null) {
            build.pieceSize((int) Units.parseSize(pieceSize));
        }
        final TorrentBuild.Result r = build.write();
        System.out.printf("%s  %s  %d pieces of %s%s%n", r.file(), r.meta().infoHashV1().hex(), r.meta().pieceCount(),
            Units.bytes(r.meta().pieceLength()), xet ? "  with Xet file hashes" : "");
        return 0;
    }

    /** Creates a torrent in memory without output, for the demo and benchmarks. */
    static Metainfo createQuietly(final Path source, final int pieceSize, final List<String> trackers,
                                  final boolean isPrivate) throws IOException {
        return new TorrentCreator(source).pieceSize(pieceSize).trackers(trackers).privateFlag(isPrivate)
            .createMetainfo();
    }
}
