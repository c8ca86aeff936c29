package ccbt.xet.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/** Compresses and decompresses chunk data with the Xet compression schemes. */
public final class ChunkCodec {
    private ChunkCodec() {
    }

    /** The stored form of {@code data[offset, offset + length)} under {@code scheme}. */
    public static byte[] compress(CompressionScheme scheme, byte[] data, int offset, int length) {
        return switch (scheme) {
            case NONE -> java.util.Arrays.copyOfRange(data, offset, offset + length);
            case LZ4 -> lz4Frame(data, offset, length);
            case BYTE_GROUPING_4_LZ4 -> {
                final byte[] grouped = new byte[length];
                ByteGrouping4.split(data, offset, length, grouped, 0);
                yield lz4Frame(grouped, 0, length);
            }
        };
    }

    /**
     * Restores a chunk's bytes into {@code dst[dstOffset, dstOffset + expectedLength)}.
     *
     * @throws XetFormatException if the data is not valid for the scheme or does not decode to exactly
     *     {@code expectedLength} bytes
     */
    public static void decompress(CompressionScheme scheme, byte[] src, int offset, int length, byte[] dst,
            int dstOffset, int expectedLength) {
        switch (scheme) {
            case NONE -> {
                if (length != expectedLength) {
                    throw new XetFormatException("uncompressed chunk holds " + length + " bytes, header says "
                            + expectedLength);
                }
                System.arraycopy(src, offset, dst, dstOffset, length);
            }
            case LZ4 -> unLz4Frame(src, offset, length, dst, dstOffset, expectedLength);
            case BYTE_GROUPING_4_LZ4 -> {
                final byte[] grouped = new byte[expectedLength];
                unLz4Frame(src, offset, length, grouped, 0, expectedLength);
                ByteGrouping4.regroup(grouped, 0, expectedLength, dst, dstOffset);
            }
        }
    }

    private static byte[] lz4Frame(byte[] data, int offset, int length) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(length / 2 + 64);
        // 64 KiB independent blocks, no checksums: the frame lz4_flex's FrameEncoder writes by default.
        try (LZ4FrameOutputStream lz4 = new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE)) {
            lz4.write(data, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("LZ4 compression into memory failed", e);
        }
        return out.toByteArray();
    }

    private static void unLz4Frame(byte[] src, int offset, int length, byte[] dst, int dstOffset, int expected) {
        try (InputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(src, offset, length))) {
            int got = 0;
            while (got < expected) {
                final int n = in.read(dst, dstOffset + got, expected - got);
                if (n < 0) {
                    throw new XetFormatException("LZ4 chunk decodes to " + got + " bytes, header says " + expected);
                }
                got += n;
            }
            if (in.read() >= 0) {
                throw new XetFormatException("LZ4 chunk decodes to more than the " + expected
                        + " bytes its header says");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof XetFormatException xfe) {
                throw xfe;
            }
            throw new XetFormatException("corrupt LZ4 chunk data (" + length + " bytes): " + e.getMessage(), e);
        }
    }
}
