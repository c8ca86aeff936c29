package ccbt.app;

import ccbt.xet.hash.ChunkHashList;
import ccbt.xet.hash.XetHash;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed from one version of a dataset to the next, file by file, counted in Xet chunks: a chunk of
 * the new version is <em>shared</em> when the old version has a chunk with the same hash anywhere (in any
 * file), otherwise it is <em>new</em>. The new chunks are what a peer that holds the old version has to
 * fetch; the rest it can copy from its own disk.
 */
final class XetDiff {
    private XetDiff() {
    }

    /** How a file of the new version relates to the old one. */
    enum Status {
        /** Same path, same Xet file hash. */
        UNCHANGED,
        /** Same path, different content. */
        MODIFIED,
        /** Only in the new version. */
        ADDED,
        /** Only in the old version. */
        REMOVED,
        /** In both, but neither the old data nor the old torrent's Xet hash is there to compare with. */
        UNKNOWN
    }

    /**
     * One file. Chunk counts are of the new version's file (zero for a removed file); {@code length} is the
     * new length, or the old one for a removed file.
     */
    record FileChange(String path, Status status, long length, int chunks, int sharedChunks, long sharedBytes,
                      int newChunks, long newBytes) {
    }

    /**
     * The whole comparison. {@code chunked} says whether chunks were compared (the old data was found);
     * otherwise only file hashes were, and the chunk figures count every chunk as new.
     * {@code uniqueNewBytes} counts a chunk that is new once, however many times the new version holds it.
     */
    record Summary(List<FileChange> files, boolean chunked, long chunks, long sharedChunks, long sharedBytes,
                   long newChunks, long newBytes, long uniqueNewChunks, long uniqueNewBytes) {
    }

    /** The Xet view of one version: each file's chunk list by path, in torrent order, or only file hashes. */
    record Version(Map<String, ChunkHashList> chunks, Map<String, XetHash> fileHashes, Map<String, Long> lengths) {
    }

    /**
     * Compares {@code next} (whose chunks must all be known) with {@code old}, whose chunk lists may be
     * empty (old data not found): then files compare by the old file hashes only (which may also be missing).
     */
    static Summary compare(final Version old, final Version next, final boolean oldChunked) {
        final Set<XetHash> oldChunks = new HashSet<>();
        if (oldChunked) {
            for (final ChunkHashList list : old.chunks().values()) {
                for (int i = 0; i < list.size(); i++) {
                    oldChunks.add(list.hash(i));
                }
            }
        }
        final List<FileChange> files = new ArrayList<>();
        final Set<XetHash> seenNew = new HashSet<>();
        long chunks = 0;
        long sharedChunks = 0;
        long sharedBytes = 0;
        long newChunks = 0;
        long newBytes = 0;
        long uniqueNewChunks = 0;
        long uniqueNewBytes = 0;
        for (final Map.Entry<String, ChunkHashList> e : next.chunks().entrySet()) {
            final String path = e.getKey();
            final ChunkHashList list = e.getValue();
            int shared = 0;
            long sharedLen = 0;
            for (int i = 0; i < list.size(); i++) {
                final XetHash h = list.hash(i);
                final long len = list.length(i);
                if (oldChunks.contains(h)) {
                    shared++;
                    sharedLen += len;
                } else if (seenNew.add(h)) {
                    uniqueNewChunks++;
                    uniqueNewBytes += len;
                }
            }
            final Status status;
            if (!old.lengths().containsKey(path)) {
                status = Status.ADDED;
            } else if (old.fileHashes().get(path) == null) {
                status = Status.UNKNOWN;
            } else {
                status = old.fileHashes().get(path).equals(next.fileHashes().get(path)) ? Status.UNCHANGED : Status.MODIFIED;
            }
            final long length = list.totalLength();
            files.add(new FileChange(path, status, length, list.size(), shared, sharedLen, list.size() - shared,
                length - sharedLen));
            chunks += list.size();
            sharedChunks += shared;
            sharedBytes += sharedLen;
            newChunks += list.size() - shared;
            newBytes += length - sharedLen;
        }
        for (final Map.Entry<String, Long> e : old.lengths().entrySet()) {
            if (!next.chunks().containsKey(e.getKey())) {
                files.add(new FileChange(e.getKey(), Status.REMOVED, e.getValue(), 0, 0, 0, 0, 0));
            }
        }
        return new Summary(List.copyOf(files), oldChunked, chunks, sharedChunks, sharedBytes, newChunks, newBytes,
            uniqueNewChunks, uniqueNewBytes);
    }

    /** An empty version description, to fill in torrent order. */
    static Version newVersion() {
        return new Version(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** One line per file and a total, for people. */
    static void print(final Summary s, final PrintStream out) {
        int width = 8;
        for (final FileChange f : s.files()) {
            width = Math.max(width, f.path().length());
        }
        for (final FileChange f : s.files()) {
            final String head = String.format("  %-9s  %-" + width + "s  %10s", f.status().name().toLowerCase(),
                f.path(), Units.bytes(f.length()));
            if (f.status() == Status.REMOVED) {
                out.println(head);
            } else if (s.chunked()) {
                out.printf("%s  %d of %d chunks shared (%s), %d new (%s)%n", head, f.sharedChunks(), f.chunks(),
                    Units.bytes(f.sharedBytes()), f.newChunks(), Units.bytes(f.newBytes()));
            } else {
                out.printf("%s  %d chunks%n", head, f.chunks());
            }
        }
        if (s.chunked()) {
            out.printf("total: %d chunks, %d shared with the old version (%s), %d new (%s); "
                    + "a peer holding the old version fetches %s (%d distinct new chunks)%n",
                s.chunks(), s.sharedChunks(), Units.bytes(s.sharedBytes()), s.newChunks(), Units.bytes(s.newBytes()),
                Units.bytes(s.uniqueNewBytes()), s.uniqueNewChunks());
        }
    }

    /** The same as one JSON object, {@code head}'s strings first, every size in bytes, for scripts. */
    static void printJson(final Summary s, final Map<String, String> head, final PrintStream out) {
        final StringBuilder sb = new StringBuilder(256 + 160 * s.files().size()).append('{');
        for (final Map.Entry<String, String> e : head.entrySet()) {
            jsonString(sb, e.getKey());
            sb.append(':');
            if (e.getValue() == null) {
                sb.append("null");
            } else {
                jsonString(sb, e.getValue());
            }
            sb.append(',');
        }
        sb.append("\"chunked\":").append(s.chunked())
            .append(",\"chunks\":").append(s.chunks())
            .append(",\"sharedChunks\":").append(s.sharedChunks())
            .append(",\"sharedBytes\":").append(s.sharedBytes())
            .append(",\"newChunks\":").append(s.newChunks())
            .append(",\"newBytes\":").append(s.newBytes())
            .append(",\"uniqueNewChunks\":").append(s.uniqueNewChunks())
            .append(",\"uniqueNewBytes\":").append(s.uniqueNewBytes())
            .append(",\"files\":[");
        for (int i = 0; i < s.files().size(); i++) {
            final FileChange f = s.files().get(i);
            sb.append(i == 0 ? "" : ",").append("{\"path\":");
            jsonString(sb, f.path());
            sb.append(",\"status\":\"").append(f.status().name().toLowerCase()).append('"')
                .append(",\"length\":").append(f.length())
                .append(",\"chunks\":").append(f.chunks())
                .append(",\"sharedChunks\":").append(f.sharedChunks())
                .append(",\"sharedBytes\":").append(f.sharedBytes())
                .append(",\"newChunks\":").append(f.newChunks())
                .append(",\"newBytes\":").append(f.newBytes()).append('}');
        }
        out.println(sb.append("]}"));
    }

    /** Appends {@code text} as a JSON string (RFC 8259 escapes: quote, backslash, control characters). */
    static void jsonString(final StringBuilder sb, final String text) {
        sb.append('"');
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
