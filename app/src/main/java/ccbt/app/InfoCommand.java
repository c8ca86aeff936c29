package ccbt.app;

import ccbt.core.metainfo.FileEntry;
import ccbt.core.metainfo.Metainfo;
import ccbt.xet.hash.XetHash;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ccbt info TORRENT}: what a .torrent file holds. */
final class InfoCommand implements Callable<Integer> {
    static final CommandSpec<InfoCommand> SPEC = CommandSpec.command("info", "Show what a .torrent file holds.",
            InfoCommand::new)
        .positional("TORRENT", "", (c, v) -> c.torrent = Path.of(v));

    Path torrent;

    @Override
    public Integer call() throws Exception {
        final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
        final var out = System.out;
        out.println("name:         " + meta.name());
        out.println("info-hash:    " + meta.infoHashV1().hex());
        out.println("size:         " + Units.bytes(meta.totalLength()) + " (" + meta.totalLength() + " bytes)");
        out.println("pieces:       " + meta.pieceCount() + " x " + Units.bytes(meta.pieceLength()));
        out.println("private:      " + meta.isPrivate());
        for (final List<String> tier : meta.announceTiers()) {
            out.println("tracker tier: " + String.join(" ", tier));
        }
        if (meta.comment() != null) {
            out.println("comment:      " + meta.comment());
        }
        if (meta.createdBy() != null) {
            out.println("created by:   " + meta.createdBy());
        }
        final long files = meta.files().stream().filter(f -> !f.padFile()).count();
        final long withXet = meta.files().stream().filter(f -> !f.padFile() && f.hasXetHash()).count();
        out.println("files:        " + files);
        if (withXet > 0) {
            out.println("xet:          file hashes for " + withXet + " of " + files + " files (shown before each path)");
        }
        for (final FileEntry f : meta.files()) {
            if (!f.padFile()) {
                // xet-core's hex form, the one `ccbt xet hash` prints, so the two can be compared
                final String xet = f.hasXetHash() ? XetHash.of(f.xetHash()).hex() + "  " : "";
                out.printf("  %12d  %s%s%n", f.length(), xet, String.join("/", f.path()));
            }
        }
        return 0;
    }
}
