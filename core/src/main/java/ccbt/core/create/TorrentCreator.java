package ccbt.core.create;

import ccbt.core.DirectBuffers;
import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BInt;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.hash.Sha1;
import ccbt.core.hash.Sha1Pair;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.metainfo.MetainfoException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Builds a v1 .torrent from a file or a directory. Files are taken in a stable order (path components compared
 * as UTF-8 bytes), hidden files included; symbolic links and special files are refused rather than skipped.
 * Hashing reads each file once, sequentially, with a large buffer, on the calling thread.
 *
 * <pre>{@code
 * byte[] torrent = new TorrentCreator(dir).trackers(List.of(url)).privateFlag(true).create();
 * }</pre>
 */
public final class TorrentCreator {
    /** Piece sizes are multiples of one block (16 KiB). */
    public static final int BLOCK = 16 * 1024;
    /** Smallest automatic piece size. */
    public static final int MIN_AUTO_PIECE = 16 * 1024;
    /** Largest automatic piece size. */
    public static final int MAX_AUTO_PIECE = 16 * 1024 * 1024;
    /** The {@code created by} written unless {@link #createdBy(String)} says otherwise. */
    public static final String CREATED_BY = "ccbt/0.1";

    private static final int READ_BUFFER = 1 << 20;
    /** Keys the creator writes itself; extras may not replace them. */
    private static final Set<String> RESERVED = Set.of("length", "path", "path.utf-8", "attr", "name", "piece length",
            "pieces", "files", "private", "name.utf-8");

    private final Path source;
    private int pieceSize; // 0 = automatic
    private List<String> trackers = List.of();
    private boolean isPrivate;
    private String comment;
    private String createdBy = CREATED_BY;
    private Instant creationDate = Instant.now();
    private boolean padFiles;
    private LongConsumer progress = bytes -> {};
    private Function<Path, Map<String, BValue>> fileExtras = file -> Map.of();

    /** A creator for {@code source}, a regular file (single-file torrent) or a directory (multi-file torrent). */
    public TorrentCreator(Path source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** An explicit piece size: a positive multiple of 16 KiB, at most 64 MiB (need not be a power of two). */
    public TorrentCreator pieceSize(int bytes) {
        if (bytes <= 0 || bytes % BLOCK != 0 || bytes > Metainfo.MAX_PIECE_LENGTH) {
            throw new IllegalArgumentException("piece size " + bytes + " must be a multiple of 16384 in 16384.."
                    + Metainfo.MAX_PIECE_LENGTH);
        }
        this.pieceSize = bytes;
        return this;
    }

    /** Trackers: the first becomes {@code announce}; all of them form {@code announce-list}, one per tier. */
    public TorrentCreator trackers(List<String> urls) {
        for (String url : urls) {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("empty tracker URL in " + urls);
            }
        }
        this.trackers = List.copyOf(urls);
        return this;
    }

    /** Sets the BEP 27 private flag. */
    public TorrentCreator privateFlag(boolean isPrivate) {
        this.isPrivate = isPrivate;
        return this;
    }

    /** A comment, or null for none. */
    public TorrentCreator comment(String comment) {
        this.comment = comment;
        return this;
    }

    /** The {@code created by} value, or null for none; {@value #CREATED_BY} by default. */
    public TorrentCreator createdBy(String createdBy) {
        this.createdBy = createdBy;
        return this;
    }

    /** The {@code creation date}, or null to leave it out (for reproducible files); now by default. */
    public TorrentCreator creationDate(Instant when) {
        this.creationDate = when;
        return this;
    }

    /** Whether to add BEP 47 pad files so that every file starts on a piece boundary; off by default. */
    public TorrentCreator padFiles(boolean padFiles) {
        this.padFiles = padFiles;
        return this;
    }

    /** Called on the hashing thread with the cumulative number of bytes hashed so far (pad bytes included). */
    public TorrentCreator progress(LongConsumer bytesHashed) {
        this.progress = Objects.requireNonNull(bytesHashed, "bytesHashed");
        return this;
    }

    /**
     * Extra fields for each real file, given its path on disk: added to the file's dictionary in {@code files},
     * or to the info dictionary of a single-file torrent. They may not replace the standard keys.
     */
    public TorrentCreator fileExtras(Function<Path, Map<String, BValue>> extras) {
        this.fileExtras = Objects.requireNonNull(extras, "extras");
        return this;
    }

    /**
     * The automatic piece size for {@code totalLength} bytes: the smallest power of two giving at most about
     * 2000 pieces (so between 1000 and 2000 once the data is large enough), within 16 KiB..16 MiB.
     */
    public static int autoPieceSize(long totalLength) {
        long size = MIN_AUTO_PIECE;
        while (size < MAX_AUTO_PIECE && totalLength > size * 2000) {
            size <<= 1;
        }
        return (int) size;
    }

    /** Hashes the files and returns the encoded .torrent. */
    public byte[] create() throws IOException {
        if (Files.isSymbolicLink(source)) {
            throw new IOException("refusing symbolic link " + source + " -> " + Files.readSymbolicLink(source));
        }
        BasicFileAttributes rootAttrs = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Path fileName = source.toAbsolutePath().normalize().getFileName();
        if (fileName == null) {
            throw new IOException("cannot name a torrent after " + source + ": it has no file name");
        }
        String name = checked(fileName.toString(), fileName.toString());
        List<Input> inputs;
        if (rootAttrs.isRegularFile()) {
            inputs = List.of(new Input(source, List.of(), rootAttrs.size()));
        } else if (rootAttrs.isDirectory()) {
            inputs = listDirectory();
        } else {
            throw new IOException("not a regular file or directory: " + source);
        }
        long total = 0;
        for (Input in : inputs) {
            total += in.length;
        }
        int pieceLength = pieceSize != 0 ? pieceSize : autoPieceSize(total);
        List<Input> laidOut = rootAttrs.isDirectory() && padFiles ? withPadFiles(inputs, pieceLength) : inputs;
        byte[] pieces = hash(laidOut, pieceLength);

        BDict.Builder info = BDict.builder()
                .put("name", name)
                .put("piece length", pieceLength)
                .put("pieces", pieces);
        if (isPrivate) {
            info.put("private", 1);
        }
        if (rootAttrs.isRegularFile()) {
            info.put("length", inputs.getFirst().length);
            putExtras(info, source);
        } else {
            List<BValue> files = new ArrayList<>(laidOut.size());
            for (Input in : laidOut) {
                BDict.Builder f = BDict.builder()
                        .put("length", in.length)
                        .put("path", new BList(in.components.stream().<BValue>map(BString::of).toList()));
                if (in.file == null) {
                    f.put("attr", "p");
                } else {
                    putExtras(f, in.file);
                }
                files.add(f.build());
            }
            info.put("files", new BList(files));
        }
        BDict.Builder root = BDict.builder().put("info", info.build());
        if (!trackers.isEmpty()) {
            root.put("announce", trackers.getFirst());
            if (trackers.size() > 1) {
                root.put("announce-list", new BList(trackers.stream().<BValue>map(t -> BList.of(BString.of(t))).toList()));
            }
        }
        if (comment != null) {
            root.put("comment", comment);
        }
        if (createdBy != null) {
            root.put("created by", createdBy);
        }
        if (creationDate != null) {
            root.put("creation date", creationDate.getEpochSecond());
        }
        return Bencode.encode(root.build());
    }

    /** Hashes the files and returns the parsed result (which also checks what was written). */
    public Metainfo createMetainfo() throws IOException {
        return Metainfo.parse(create());
    }

    private void putExtras(BDict.Builder dict, Path file) {
        Map<String, BValue> extras = fileExtras.apply(file);
        for (String key : extras.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("file extras for " + file + " may not replace the key '" + key + "'");
            }
        }
        dict.putAll(extras);
    }

    private List<Input> listDirectory() throws IOException {
        List<Input> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) { // does not follow links
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(source)) {
                    continue;
                }
                Path rel = source.relativize(p);
                if (Files.isSymbolicLink(p)) {
                    throw new IOException("refusing symbolic link " + rel + " -> " + Files.readSymbolicLink(p)
                            + " in " + source + " (copy the target in, or remove the link)");
                }
                BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isDirectory()) {
                    continue; // directories are implied by file paths
                }
                if (!attrs.isRegularFile()) {
                    throw new IOException("refusing special file " + rel + " in " + source);
                }
                List<String> components = new ArrayList<>(rel.getNameCount());
                for (Path c : rel) {
                    components.add(checked(c.toString(), rel.toString()));
                }
                out.add(new Input(p, List.copyOf(components), attrs.size()));
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no files to add under " + source);
        }
        out.sort(TorrentCreator::compareComponents);
        return out;
    }

    private static String checked(String component, String where) throws IOException {
        try {
            return Metainfo.checkPathComponent(component, where);
        } catch (MetainfoException e) {
            throw new IOException("cannot put '" + where + "' in a torrent: " + e.getMessage(), e);
        }
    }

    /** Orders by path components, each compared as UTF-8 bytes: stable across platforms and locales. */
    private static int compareComponents(Input a, Input b) {
        int n = Math.min(a.components.size(), b.components.size());
        for (int i = 0; i < n; i++) {
            int c = Arrays.compareUnsigned(a.components.get(i).getBytes(StandardCharsets.UTF_8),
                    b.components.get(i).getBytes(StandardCharsets.UTF_8));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.components.size(), b.components.size());
    }

    /** Inserts a pad file after every file but the last that does not end on a piece boundary (BEP 47). */
    private static List<Input> withPadFiles(List<Input> inputs, int pieceLength) {
        List<Input> out = new ArrayList<>(inputs.size() * 2);
        long offset = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            out.add(in);
            offset += in.length;
            long rest = offset % pieceLength;
            if (i < inputs.size() - 1 && rest != 0) {
                long pad = pieceLength - rest;
                out.add(new Input(null, List.of(".pad", Long.toString(pad)), pad));
                offset += pad;
            }
        }
        return out;
    }

    private byte[] hash(List<Input> inputs, int pieceLength) throws IOException {
        PieceHasher hasher = new PieceHasher(pieceLength, progress);
        for (Input in : inputs) {
            if (in.file == null) {
                hasher.zeros(in.length);
                continue;
            }
            long read = 0;
            try (FileChannel ch = FileChannel.open(in.file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                while (read < in.length) {
                    ByteBuffer window = hasher.window(in.length - read);
                    int n = ch.read(window);
                    if (n < 0) {
                        break;
                    }
                    hasher.filled(n);
                    read += n;
                }
            }
            if (read != in.length || Files.size(in.file) != in.length) {
                throw new IOException("file changed while hashing: " + in.file + " (listed with " + in.length
                        + " bytes, now " + Files.size(in.file) + ")");
            }
        }
        return hasher.finish();
    }

    /** One entry of the torrent's file list; {@code file} is null for a pad file. */
    private record Input(Path file, List<String> components, long length) {}

    /**
     * Hashes the content piece by piece as the reader fills the windows it hands out. Where {@link Sha1Pair} is
     * available and pieces are at most {@link #MAX_PAIRED_PIECE}, the windows lie in two piece-sized slots, and two
     * full pieces are hashed at once (about two thirds of the time of one after the other); otherwise each window is
     * hashed as it is filled.
     */
    private static final class PieceHasher {
        /** Two slots of this much direct memory at most; larger pieces are hashed one at a time. */
        static final int MAX_PAIRED_PIECE = 16 << 20;
        private static final byte[] ZEROS = new byte[64 * 1024];

        private final int pieceLength;
        private final LongConsumer progress;
        private final Sha1 sha1;
        private final Sha1Pair pair;
        /** Pair mode: two piece slots, the second from {@code pieceLength}; else a read buffer. */
        private final ByteBuffer memory;
        private final ByteArrayOutputStream hashes = new ByteArrayOutputStream();
        private final byte[] digests = new byte[2 * Sha1.LENGTH];
        /** Bytes filled: pair mode, in both slots together; otherwise in the piece being hashed. */
        private long filled;
        private long total;
        private ByteBuffer window;

        PieceHasher(int pieceLength, LongConsumer progress) {
            this.pieceLength = pieceLength;
            this.progress = progress;
            this.sha1 = Sha1.create();
            this.pair = Sha1Pair.isAvailable() && pieceLength <= MAX_PAIRED_PIECE ? Sha1Pair.create() : null;
            this.memory = DirectBuffers.cacheAligned(pair != null ? 2 * pieceLength : READ_BUFFER);
        }

        /** Where the next bytes go, at most {@code wanted} and never across a piece (pair mode) or the buffer. */
        ByteBuffer window(long wanted) {
            final int at;
            final int room;
            if (pair != null) {
                at = (int) filled;
                room = (int) Math.min(pieceLength - filled % pieceLength, READ_BUFFER);
            } else {
                at = 0;
                room = READ_BUFFER;
            }
            window = memory.slice(at, (int) Math.min(room, wanted));
            return window;
        }

        /** The last window holds {@code n} more bytes. */
        void filled(int n) {
            if (pair != null) {
                filled += n;
                if (filled == 2L * pieceLength) {
                    pair.update(memory.slice(0, pieceLength), memory.slice(pieceLength, pieceLength));
                    pair.digest(digests, 0, digests, Sha1.LENGTH);
                    hashes.write(digests, 0, digests.length);
                    filled = 0;
                }
            } else {
                int at = 0;
                while (at < n) {
                    final int take = (int) Math.min(n - at, pieceLength - filled);
                    sha1.update(window.slice(at, take));
                    at += take;
                    filled += take;
                    if (filled == pieceLength) {
                        hashes.writeBytes(sha1.digest());
                        filled = 0;
                    }
                }
            }
            total += n;
            progress.accept(total);
        }

        void zeros(long count) {
            long left = count;
            while (left > 0) {
                final ByteBuffer w = window(left);
                final int n = w.remaining();
                while (w.hasRemaining()) {
                    w.put(ZEROS, 0, Math.min(w.remaining(), ZEROS.length));
                }
                filled(n);
                left -= n;
            }
        }

        byte[] finish() {
            if (pair != null) {
                // At most one full piece and a partial one are left: one at a time.
                for (int at = 0; at < filled; at += pieceLength) {
                    sha1.update(memory.slice(at, (int) Math.min(pieceLength, filled - at)));
                    hashes.writeBytes(sha1.digest());
                }
            } else if (filled > 0) {
                hashes.writeBytes(sha1.digest());
            }
            filled = 0;
            return hashes.toByteArray();
        }
    }
}
