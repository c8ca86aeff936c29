package ccbt.app;

import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ccbt create PATH}: makes a v1 .torrent of a file or directory, with a progress bar while hashing. */
final class CreateCommand implements Callable<Integer> {
    static final CommandSpec<CreateCommand> SPEC = CommandSpec.command("create",
            "Create a .torrent for a file or directory.", CreateCommand::new)
        .positional("PATH", "File or directory to share", (c, v) -> c.source = Path.of(v))
        .option("--piece-size", "SIZE", "Piece size, a multiple of 16KiB (default: automatic)",
            (c, v) -> c.pieceSize = v)
        .repeatableOption("--tracker", "URL", "Announce URL, each its own tier", (c, v) -> c.trackers.add(v))
        .flag("--private", "Mark the torrent private (BEP 27)", c -> c.privateFlag = true)
        .option("--comment", "TEXT", "Comment stored in the torrent", (c, v) -> c.comment = v)
        .flag("--xet", "Record each file's Xet file hash in the torrent (a second read of every file; see docs/xet.md)",
            c -> c.xet = true)
        .option("-o, --output", "FILE", "Output file (default: NAME.torrent)", (c, v) -> c.output = Path.of(v));

    Path source;
    String pieceSize;
    final List<String> trackers = new ArrayList<>();
    boolean privateFlag;
    String comment;
    boolean xet;
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
