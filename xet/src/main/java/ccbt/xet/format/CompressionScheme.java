package ccbt.xet.format;

/** How a chunk's bytes are stored in a xorb (the chunk header's compression type byte). */
public enum CompressionScheme {
    /** Stored as is. */
    NONE(0),
    /** One LZ4 frame (frame format, as xet-core's lz4_flex FrameEncoder writes). */
    LZ4(1),
    /** Bytes regrouped by position modulo 4 (see {@link ByteGrouping4}), then one LZ4 frame. */
    BYTE_GROUPING_4_LZ4(2);

    private final int id;

    CompressionScheme(int id) {
        this.id = id;
    }

    /** The value in the chunk header. */
    public int id() {
        return id;
    }

    /** The scheme with this header value. */
    public static CompressionScheme fromId(int id) {
        return switch (id) {
            case 0 -> NONE;
            case 1 -> LZ4;
            case 2 -> BYTE_GROUPING_4_LZ4;
            default -> throw new XetFormatException("unknown chunk compression scheme " + id);
        };
    }
}
