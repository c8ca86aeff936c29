package ccbt.core.metainfo;

import ccbt.core.InfoHash;
import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BInt;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeException;
import ccbt.core.bencode.BencodeLimits;
import ccbt.core.hash.Sha1;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed, validated v1 .torrent (BEP 3, with BEP 12 tracker tiers, BEP 27 private flag and BEP 47 pad files).
 * Everything a hostile file could use to escape the download directory or exhaust memory is rejected here,
 * with a {@link MetainfoException} naming the field.
 */
public final class Metainfo {
    /** Largest accepted piece length: 64 MiB. */
    public static final int MAX_PIECE_LENGTH = 64 * 1024 * 1024;
    /** Largest accepted total length: 2^50 bytes (1 PiB). */
    public static final long MAX_TOTAL_LENGTH = 1L << 50;
    /** Largest accepted number of files (pad files included). */
    public static final int MAX_FILES = 1_000_000;

    /**
     * Key of a file's Xet file hash (32 raw bytes): in each {@code info.files} entry of a multi-file torrent,
     * in {@code info} itself for a single-file torrent. See docs/xet.md.
     */
    public static final String XET_HASH_KEY = "xet hash";
    /** Length of a Xet file hash in bytes. */
    public static final int XET_HASH_LENGTH = 32;

    private static final int HASH_LENGTH = 20;

    private final BDict info;
    private final byte[] infoBytes;
    private final InfoHash infoHash;
    private final String name;
    private final int pieceLength;
    private final byte[] pieceHashes;
    private final long totalLength;
    private final List<FileEntry> files;
    private final boolean isPrivate;
    private final List<List<String>> announceTiers;
    private final String comment;
    private final String createdBy;

    private Metainfo(BDict info, byte[] infoBytes, BDict root) {
        this.info = info;
        this.infoBytes = infoBytes;
        this.infoHash = InfoHash.of(sha1(infoBytes));
        this.name = checkPathComponent(utf8Preferred(info, "name", "info.name"), "info.name");
        this.pieceLength = pieceLength(info);
        this.pieceHashes = bytes(info, "pieces", "info.pieces").bytes();
        this.files = files(info, name);
        FileEntry last = files.getLast();
        this.totalLength = last.end();
        checkPieces(pieceHashes.length, totalLength, pieceLength);
        Long priv = integer(info, "private", "info.private", false);
        this.isPrivate = priv != null && priv == 1;
        this.announceTiers = root == null ? List.of() : announceTiers(root);
        this.comment = root == null ? null : lenientText(root, "comment");
        this.createdBy = root == null ? null : lenientText(root, "created by");
    }

    /** Parses and validates a .torrent file. */
    public static Metainfo parse(byte[] torrentFile) {
        BDict root = decode(torrentFile, "torrent");
        BValue infoValue = root.get("info");
        if (!(infoValue instanceof BDict info)) {
            throw new MetainfoException("invalid torrent: " + (infoValue == null ? "missing 'info' dictionary"
                    : "'info' is a " + infoValue.typeName() + ", expected a dictionary"));
        }
        // the info-hash covers exactly the bytes of the info dictionary as they appear in the file
        byte[] infoBytes = Arrays.copyOfRange(torrentFile, info.sourceStart(), info.sourceEnd());
        return new Metainfo(info, infoBytes, root);
    }

    /**
     * Parses a bare info dictionary (as fetched from peers with BEP 9 for a magnet link); the result has no
     * trackers, comment or creator.
     */
    public static Metainfo parseInfo(byte[] infoBytes) {
        BDict info = decode(infoBytes, "info dictionary");
        return new Metainfo(info, infoBytes.clone(), null);
    }

    private static BDict decode(byte[] data, String what) {
        try {
            return Bencode.decodeDict(data, BencodeLimits.DEFAULT);
        } catch (BencodeException e) {
            throw new MetainfoException("invalid " + what + ": " + e.getMessage(), e);
        }
    }

    /** The torrent's name: the file name of a single-file torrent, the top directory of a multi-file one. */
    public String name() {
        return name;
    }

    /** The v1 info-hash: SHA-1 over the info dictionary's bytes exactly as they appeared in the file. */
    public InfoHash infoHashV1() {
        return infoHash;
    }

    /** The nominal piece length in bytes. */
    public int pieceLength() {
        return pieceLength;
    }

    /** The number of pieces. */
    public int pieceCount() {
        return pieceHashes.length / HASH_LENGTH;
    }

    /** The length of piece {@code index}: the nominal length, except for a shorter last piece. */
    public int pieceSize(int index) {
        checkPieceIndex(index);
        long start = (long) index * pieceLength;
        return (int) Math.min(pieceLength, totalLength - start);
    }

    /** A copy of the concatenated 20-byte SHA-1 piece hashes. */
    public byte[] pieceHashes() {
        return pieceHashes.clone();
    }

    /** A copy of the 20-byte SHA-1 of piece {@code index}. */
    public byte[] pieceHash(int index) {
        checkPieceIndex(index);
        return Arrays.copyOfRange(pieceHashes, index * HASH_LENGTH, (index + 1) * HASH_LENGTH);
    }

    /** Whether the 20 bytes of {@code digest} at {@code offset} equal the hash of piece {@code index}; allocates nothing. */
    public boolean pieceHashMatches(int index, byte[] digest, int offset) {
        checkPieceIndex(index);
        return Arrays.equals(pieceHashes, index * HASH_LENGTH, (index + 1) * HASH_LENGTH, digest, offset, offset + HASH_LENGTH);
    }

    private void checkPieceIndex(int index) {
        if (index < 0 || index >= pieceCount()) {
            throw new IndexOutOfBoundsException("piece " + index + " of " + pieceCount());
        }
    }

    /** The total length of the torrent's data, pad files included. */
    public long totalLength() {
        return totalLength;
    }

    /** The files in torrent order, pad files included (flagged); never empty. */
    public List<FileEntry> files() {
        return files;
    }

    /** Whether every real (non-pad) file carries a Xet file hash ({@link FileEntry#xetHash()}). */
    public boolean hasXetHashes() {
        for (FileEntry f : files) {
            if (!f.padFile() && !f.hasXetHash()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the BEP 27 private flag is set (no DHT, PEX or LSD for this torrent). */
    public boolean isPrivate() {
        return isPrivate;
    }

    /** Tracker tiers: BEP 12 {@code announce-list} if present and non-empty, else {@code [[announce]]}, else empty. */
    public List<List<String>> announceTiers() {
        return announceTiers;
    }

    /** The comment, or null when absent. */
    public String comment() {
        return comment;
    }

    /** The creating program, or null when absent. */
    public String createdBy() {
        return createdBy;
    }

    /** The decoded info dictionary (for extension fields). */
    public BDict info() {
        return info;
    }

    /** A copy of the raw bytes of the info dictionary (what BEP 9 serves to peers). */
    public byte[] infoBytes() {
        return infoBytes.clone();
    }

    @Override
    public String toString() {
        return "Metainfo[" + name + " " + infoHash.hex() + " " + totalLength + " bytes, " + files.size() + " files, "
                + pieceCount() + " x " + pieceLength + "]";
    }

    private static int pieceLength(BDict info) {
        long v = integer(info, "piece length", "info.piece length", true);
        if (v <= 0 || v > MAX_PIECE_LENGTH) {
            throw new MetainfoException("invalid torrent: info.piece length " + v + " is outside 1.." + MAX_PIECE_LENGTH);
        }
        return (int) v;
    }

    private static void checkPieces(int piecesBytes, long total, int pieceLength) {
        if (piecesBytes % HASH_LENGTH != 0) {
            throw new MetainfoException("invalid torrent: info.pieces length " + piecesBytes + " is not a multiple of 20");
        }
        long expected = (total + pieceLength - 1) / pieceLength;
        if (piecesBytes / HASH_LENGTH != expected) {
            throw new MetainfoException("invalid torrent: info.pieces holds " + piecesBytes / HASH_LENGTH
                    + " hashes but " + total + " bytes in pieces of " + pieceLength + " need " + expected);
        }
    }

    private static List<FileEntry> files(BDict info, String name) {
        BValue single = info.get("length");
        BValue multi = info.get("files");
        if (single != null && multi != null) {
            throw new MetainfoException("invalid torrent: info has both 'length' and 'files'");
        }
        if (single != null) {
            long length = integer(info, "length", "info.length", true);
            checkLength(length, "info.length");
            return List.of(new FileEntry(List.of(name), length, 0, false, xetHash(info, "info", name)));
        }
        if (multi == null) {
            throw new MetainfoException("invalid torrent: info has neither 'length' nor 'files'"
                    + (info.containsKey("file tree") ? " (v2-only torrents are not supported)" : ""));
        }
        if (!(multi instanceof BList list)) {
            throw new MetainfoException("invalid torrent: info.files is a " + multi.typeName() + ", expected a list");
        }
        if (list.size() == 0) {
            throw new MetainfoException("invalid torrent: info.files is empty");
        }
        if (list.size() > MAX_FILES) {
            throw new MetainfoException("hostile torrent: " + list.size() + " files, more than " + MAX_FILES);
        }
        List<FileEntry> out = new ArrayList<>(list.size());
        Set<String> filePaths = new HashSet<>();
        Set<String> dirPaths = new HashSet<>();
        long offset = 0;
        for (int i = 0; i < list.size(); i++) {
            String where = "info.files[" + i + "]";
            if (!(list.get(i) instanceof BDict file)) {
                throw new MetainfoException("invalid torrent: " + where + " is a " + list.get(i).typeName()
                        + ", expected a dictionary");
            }
            long length = integer(file, "length", where + ".length", true);
            checkLength(length, where + ".length");
            boolean pad = isPad(file, where);
            List<String> path = path(file, where, name);
            String joined = String.join("/", path);
            if (!pad) {
                // two files on one path, or a file where another file needs a directory, would overwrite data
                if (!filePaths.add(joined) || dirPaths.contains(joined)) {
                    throw new MetainfoException("hostile torrent: path '" + joined + "' of " + where + " is used twice");
                }
                for (int end = joined.indexOf('/', name.length() + 1); end > 0; end = joined.indexOf('/', end + 1)) {
                    String dir = joined.substring(0, end);
                    if (filePaths.contains(dir)) {
                        throw new MetainfoException("hostile torrent: " + where + " puts a file under '" + dir
                                + "', which is another file");
                    }
                    dirPaths.add(dir);
                }
            }
            out.add(new FileEntry(path, length, offset, pad, xetHash(file, where, joined)));
            offset += length;
            if (offset > MAX_TOTAL_LENGTH) {
                throw new MetainfoException("hostile torrent: total length exceeds 2^50 bytes at " + where);
            }
        }
        return List.copyOf(out);
    }

    /** The file's Xet hash, null when absent; anything but a 32-byte string is refused, naming the file. */
    private static byte[] xetHash(BDict dict, String where, String file) {
        BValue v = dict.get(XET_HASH_KEY);
        if (v == null) {
            return null;
        }
        if (!(v instanceof BString s)) {
            throw new MetainfoException("invalid torrent: " + where + "." + XET_HASH_KEY + " of '" + file + "' is a "
                    + v.typeName() + ", expected a " + XET_HASH_LENGTH + "-byte string");
        }
        if (s.length() != XET_HASH_LENGTH) {
            throw new MetainfoException("invalid torrent: " + where + "." + XET_HASH_KEY + " of '" + file + "' is "
                    + s.length() + " bytes, expected " + XET_HASH_LENGTH);
        }
        return s.bytes();
    }

    private static void checkLength(long length, String where) {
        if (length < 0) {
            throw new MetainfoException("invalid torrent: " + where + " is negative: " + length);
        }
        if (length > MAX_TOTAL_LENGTH) {
            throw new MetainfoException("hostile torrent: " + where + " " + length + " exceeds 2^50 bytes");
        }
    }

    private static boolean isPad(BDict file, String where) {
        BValue attr = file.get("attr");
        if (attr == null) {
            return false;
        }
        if (!(attr instanceof BString s)) {
            throw new MetainfoException("invalid torrent: " + where + ".attr is a " + attr.typeName() + ", expected a string");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.byteAt(i) == 'p') {
                return true;
            }
        }
        return false;
    }

    private static List<String> path(BDict file, String where, String name) {
        String key = file.containsKey("path.utf-8") ? "path.utf-8" : "path";
        String field = where + "." + key;
        BValue v = file.get(key);
        if (!(v instanceof BList components)) {
            throw new MetainfoException("invalid torrent: " + field
                    + (v == null ? " is missing" : " is a " + v.typeName() + ", expected a list"));
        }
        if (components.size() == 0) {
            throw new MetainfoException("hostile torrent: " + field + " is empty");
        }
        List<String> path = new ArrayList<>(components.size() + 1);
        path.add(name);
        for (int j = 0; j < components.size(); j++) {
            if (!(components.get(j) instanceof BString s)) {
                throw new MetainfoException("invalid torrent: " + field + "[" + j + "] is a "
                        + components.get(j).typeName() + ", expected a string");
            }
            path.add(checkPathComponent(utf8(s, field + "[" + j + "]"), field));
        }
        return path;
    }

    /**
     * Returns {@code c} if it is safe as one path component on every platform we write to; throws a
     * {@link MetainfoException} naming {@code field} for what could climb out of the download directory or
     * name something else than intended ("..", ".", empty, separators, NUL, drive letters).
     */
    public static String checkPathComponent(String c, String field) {
        String reason = null;
        if (c.isEmpty()) {
            reason = "empty path component";
        } else if (c.equals(".") || c.equals("..")) {
            reason = "path component '" + c + "'";
        } else if (c.indexOf('/') >= 0 || c.indexOf('\\') >= 0) {
            reason = "path separator in component '" + c + "'";
        } else if (c.indexOf('\0') >= 0) {
            reason = "NUL byte in path component '" + c.replace("\0", "\\0") + "'";
        } else if (c.length() >= 2 && c.charAt(1) == ':' && isAsciiLetter(c.charAt(0))) {
            reason = "drive path component '" + c + "'";
        }
        if (reason != null) {
            throw new MetainfoException("hostile torrent: " + reason + " in " + field);
        }
        return c;
    }

    private static boolean isAsciiLetter(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    }

    private static List<List<String>> announceTiers(BDict root) {
        BValue list = root.get("announce-list");
        List<List<String>> tiers = new ArrayList<>();
        if (list != null) {
            if (!(list instanceof BList outer)) {
                throw new MetainfoException("invalid torrent: announce-list is a " + list.typeName() + ", expected a list");
            }
            for (int i = 0; i < outer.size(); i++) {
                if (!(outer.get(i) instanceof BList inner)) {
                    throw new MetainfoException("invalid torrent: announce-list[" + i + "] is a "
                            + outer.get(i).typeName() + ", expected a list");
                }
                List<String> tier = new ArrayList<>();
                for (int j = 0; j < inner.size(); j++) {
                    String where = "announce-list[" + i + "][" + j + "]";
                    if (!(inner.get(j) instanceof BString s)) {
                        throw new MetainfoException("invalid torrent: " + where + " is a " + inner.get(j).typeName()
                                + ", expected a string");
                    }
                    String url = utf8(s, where).strip();
                    if (!url.isEmpty() && !tier.contains(url)) {
                        tier.add(url);
                    }
                }
                if (!tier.isEmpty()) {
                    tiers.add(List.copyOf(tier));
                }
            }
        }
        if (tiers.isEmpty()) {
            BValue announce = root.get("announce");
            if (announce != null) {
                if (!(announce instanceof BString s)) {
                    throw new MetainfoException("invalid torrent: announce is a " + announce.typeName() + ", expected a string");
                }
                String url = utf8(s, "announce").strip();
                if (!url.isEmpty()) {
                    tiers.add(List.of(url));
                }
            }
        }
        return List.copyOf(tiers);
    }

    /** Free text that only informs the user: a wrong type or encoding must not make the torrent unusable. */
    private static String lenientText(BDict root, String key) {
        BValue v = root.get(key + ".utf-8");
        if (!(v instanceof BString)) {
            v = root.get(key);
        }
        if (!(v instanceof BString s)) {
            return null;
        }
        return new String(s.bytes(), StandardCharsets.UTF_8);
    }

    private static String utf8Preferred(BDict dict, String key, String field) {
        BValue utf = dict.get(key + ".utf-8");
        if (utf instanceof BString s) {
            return utf8(s, field + ".utf-8");
        }
        return utf8(bytes(dict, key, field), field);
    }

    private static String utf8(BString s, String field) {
        if (!s.isUtf8()) {
            throw new MetainfoException("invalid torrent: " + field + " is not valid UTF-8: " + s);
        }
        return s.utf8();
    }

    private static BString bytes(BDict dict, String key, String field) {
        BValue v = dict.get(key);
        if (v instanceof BString s) {
            return s;
        }
        throw new MetainfoException("invalid torrent: " + field
                + (v == null ? " is missing" : " is a " + v.typeName() + ", expected a string"));
    }

    private static Long integer(BDict dict, String key, String field, boolean required) {
        BValue v = dict.get(key);
        if (v instanceof BInt i) {
            return i.value();
        }
        if (v == null && !required) {
            return null;
        }
        throw new MetainfoException("invalid torrent: " + field
                + (v == null ? " is missing" : " is a " + v.typeName() + ", expected an integer"));
    }

    /** Through ccbt's {@link Sha1}: the JDK's provider look-up for a first {@code MessageDigest} costs a process 20 ms. */
    static byte[] sha1(byte[] data) {
        Sha1 sha1 = Sha1.create();
        sha1.update(data, 0, data.length);
        return sha1.digest();
    }
}
