package ccbt.app;

import ccbt.core.metainfo.FileEntry;
import ccbt.core.metainfo.Metainfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ccbt info TORRENT}: what a .torrent file holds. */
@Command(name = "info", description = "Show what a .torrent file holds.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "TORRENT")
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
        out.println("files:        " + meta.files().stream().filter(f -> !f.padFile()).count());
        for (final FileEntry f : meta.files()) {
            if (!f.padFile()) {
                out.printf("  %12d  %s%n", f.length(), String.join("/", f.path()));
            }
        }
        return 0;
    }
}
