package ccbt.bench.jmh;

import ccbt.io.wire.MessageDecoder;
import ccbt.io.wire.MessageWriter;
import ccbt.io.wire.PeerHandler;
import ccbt.io.wire.WireFormat;
import ccbt.io.wire.WireLimits;
import ccbt.pipeline.staging.StagingPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The peer wire codec on pooled direct buffers, as Netty hands them over: a receive buffer of back-to-back
 * PIECE messages (16 KiB blocks), one of small messages (HAVE and REQUEST alternating), and REQUEST
 * encoding. Scores are messages per second; the byte counter gives wire MB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WireDecodeBench {
    static final int BLOCK = WireLimits.BLOCK;
    static final int PIECE_MESSAGES = 64;
    static final int SMALL_MESSAGES = 4096;
    static final int REQUESTS = 1024;
    static final int PIECES = 4096;
    static final int PIECE_LENGTH = PIECE_MESSAGES * BLOCK;

    private ByteBuf pieces;
    private ByteBuf small;
    private ByteBuf out;
    private MessageDecoder decoder;
    private CountingHandler counting;
    private StagingHandler staging;
    private StagingPool stagingPool;

    @Setup
    public void setup() {
        final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        final byte[] block = BenchData.randomBytes(BLOCK, 3);
        pieces = alloc.directBuffer(PIECE_MESSAGES * (MessageWriter.PIECE_HEADER + BLOCK));
        for (int i = 0; i < PIECE_MESSAGES; i++) {
            MessageWriter.pieceHeader(pieces, i % PIECES, i * BLOCK % PIECE_LENGTH, BLOCK);
            pieces.writeBytes(block);
        }
        small = alloc.directBuffer(SMALL_MESSAGES * MessageWriter.MAX_FIXED);
        for (int i = 0; i < SMALL_MESSAGES; i++) {
            if (i % 2 == 0) {
                MessageWriter.index(small, WireFormat.HAVE, i % PIECES);
            } else {
                MessageWriter.blockRef(small, WireFormat.REQUEST, i % PIECES, (i % 64) * BLOCK, BLOCK);
            }
        }
        out = alloc.directBuffer(REQUESTS * MessageWriter.MAX_FIXED);
        decoder = new MessageDecoder(WireLimits.defaults(), true, true, PIECES);
        counting = new CountingHandler();
        stagingPool = new StagingPool(1, PIECE_LENGTH);
        staging = new StagingHandler(stagingPool);
        // a decoder that saw fewer messages than written would make every figure below meaningless
        decodePieces(new ByteCounter());
        decodeSmall(new ByteCounter());
        if (counting.blocks != PIECE_MESSAGES || counting.haves != SMALL_MESSAGES / 2
                || counting.requests != SMALL_MESSAGES / 2) {
            throw new IllegalStateException("decoder delivered " + counting.blocks + " blocks, " + counting.haves
                + " haves, " + counting.requests + " requests");
        }
    }

    @TearDown
    public void tearDown() {
        pieces.release();
        small.release();
        out.release();
    }

    /** PIECE messages with a handler that only counts: the decoder's own cost per block. */
    @Benchmark
    @OperationsPerInvocation(PIECE_MESSAGES)
    public long decodePieces(final ByteCounter counter) {
        pieces.readerIndex(0);
        decoder.decode(pieces, counting);
        counter.bytes += pieces.writerIndex();
        return counting.bytes;
    }

    /** PIECE messages copied into an off-heap staging slot, as the peer session does. */
    @Benchmark
    @OperationsPerInvocation(PIECE_MESSAGES)
    public long decodePiecesIntoStaging(final ByteCounter counter) {
        pieces.readerIndex(0);
        decoder.decode(pieces, staging);
        counter.bytes += pieces.writerIndex();
        return staging.bytes;
    }

    /** HAVE and REQUEST messages, alternating. */
    @Benchmark
    @OperationsPerInvocation(SMALL_MESSAGES)
    public long decodeSmall(final ByteCounter counter) {
        small.readerIndex(0);
        decoder.decode(small, counting);
        counter.bytes += small.writerIndex();
        return counting.requests;
    }

    /** REQUEST encoding into a pooled direct buffer. */
    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public int encodeRequests(final ByteCounter counter) {
        out.clear();
        for (int i = 0; i < REQUESTS; i++) {
            MessageWriter.blockRef(out, WireFormat.REQUEST, i, (i & 63) * BLOCK, BLOCK);
        }
        counter.bytes += out.writerIndex();
        return out.writerIndex();
    }

    /** Counts what it is given, so that nothing the decoder produces is dead code. */
    static final class CountingHandler implements PeerHandler {
        long blocks;
        long bytes;
        long haves;
        long requests;

        @Override
        public void onPiece(final int piece, final int offset, final ByteBuf data) {
            blocks++;
            bytes += data.readableBytes() + piece + offset;
        }

        @Override
        public void onHave(final int piece) {
            haves++;
        }

        @Override
        public void onRequest(final int piece, final int offset, final int length) {
            requests++;
            bytes += piece + offset + length;
        }
    }

    /** Copies every block into its place in one staging slot. */
    static final class StagingHandler implements PeerHandler {
        private final StagingPool pool;
        long bytes;

        StagingHandler(final StagingPool pool) {
            this.pool = pool;
        }

        @Override
        public void onPiece(final int piece, final int offset, final ByteBuf data) {
            pool.copyIn(0, offset, data);
            bytes += data.readableBytes();
        }
    }
}
