package ccbt.bench.jmh;

import ccbt.core.hash.Sha1;
import ccbt.core.hash.Sha1Pair;
import ccbt.pipeline.ring.PieceOutcome;
import ccbt.pipeline.ring.PieceRing;
import ccbt.pipeline.ring.PieceTarget;
import ccbt.telemetry.Metrics;
import ccbt.xet.XetChunkHasher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hash verification: the physical limit (one thread, SHA-1 over a direct 1 MiB buffer, one piece or two at
 * once) and the whole {@link PieceRing} (hash-verify shards → Xet chunk → disk write) fed with pre-staged 1 MiB pieces.
 * The ring's target verifies against precomputed hashes, as the torrent session does, and its write is a
 * no-op, so the ring figure is hashing plus the ring's own hand-offs. Scores are pieces per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HashVerifyBench {
    static final int PIECE = 1 << 20;
    /** System property naming a file to which forks append diagnostic lines for the report. */
    static final String DIAGNOSTICS = "ccbt.jmh.diagnostics";

    /** One thread, one digest, one direct buffer; {@code impl} is ccbt's choice ({@link Sha1#create}) or the JDK's. */
    @State(Scope.Thread)
    public static class Sha1State {
        final byte[] digest = new byte[20];
        @Param({"ccbt", "jdk"})
        public String impl;
        Sha1 sha1;
        ByteBuffer piece;

        @Setup
        public void setup() {
            sha1 = impl.equals("jdk") ? Sha1.jdk() : Sha1.create();
            piece = ByteBuffer.allocateDirect(PIECE).put(BenchData.randomBytes(PIECE, 5)).flip();
        }
    }

    /** SHA-1 of one 1 MiB piece from a direct buffer: the single-core hashing limit. */
    @Benchmark
    public byte sha1(final Sha1State s, final ByteCounter counter) {
        s.piece.clear();
        s.sha1.update(s.piece);
        s.sha1.digest(s.digest, 0);
        counter.bytes += PIECE;
        return s.digest[0];
    }

    /** Two direct 1 MiB pieces and the pair hasher; the benchmark fails where the pair hasher is not available. */
    @State(Scope.Thread)
    public static class Sha1PairState {
        final byte[] digests = new byte[40];
        Sha1Pair pair;
        ByteBuffer a;
        ByteBuffer b;

        @Setup
        public void setup() {
            pair = Sha1Pair.create();
            a = ByteBuffer.allocateDirect(PIECE).put(BenchData.randomBytes(PIECE, 6)).flip();
            b = ByteBuffer.allocateDirect(PIECE).put(BenchData.randomBytes(PIECE, 7)).flip();
        }
    }

    /** SHA-1 of two 1 MiB pieces at once ({@link Sha1Pair}), on one thread: compare its bytes/s with {@link #sha1}. */
    @Benchmark
    public byte sha1Pair(final Sha1PairState s, final ByteCounter counter) {
        s.a.clear();
        s.b.clear();
        s.pair.update(s.a, s.b);
        s.pair.digest(s.digests, 0, s.digests, 20);
        counter.bytes += 2 * PIECE;
        return s.digests[0];
    }

    /** Eight direct 1 MiB buffers, as many as the ring's staging slots, so they no longer sit in one core's cache. */
    @State(Scope.Thread)
    public static class Sha1SlotsState {
        final byte[] digest = new byte[20];
        final ByteBuffer[] pieces = new ByteBuffer[RingState.SLOTS];
        Sha1 sha1;
        int next;

        @Setup
        public void setup() {
            sha1 = Sha1.create();
            for (int i = 0; i < pieces.length; i++) {
                pieces[i] = ByteBuffer.allocateDirect(PIECE).put(BenchData.randomBytes(PIECE, 100 + i)).flip();
            }
        }
    }

    /**
     * SHA-1 on one thread cycling through eight 1 MiB buffers: the ring's memory footprint without its
     * threads, to tell cache effects from hand-off costs when the ring falls short of {@link #sha1}.
     */
    @Benchmark
    public byte sha1EightBuffers(final Sha1SlotsState s, final ByteCounter counter) {
        final ByteBuffer piece = s.pieces[s.next];
        s.next = (s.next + 1) & (RingState.SLOTS - 1);
        piece.clear();
        s.sha1.update(piece);
        s.sha1.digest(s.digest, 0);
        counter.bytes += PIECE;
        return s.digest[0];
    }

    /**
     * A running ring with {@code shards} verify handlers and {@value #SLOTS} staging slots. The producer
     * (the benchmark thread) takes a free slot, publishes it as the next piece and returns; slots come
     * back when the disk-write stage reports the piece done, so the slots bound the pieces in flight as
     * in the engine.
     */
    @State(Scope.Thread)
    public static class RingState {
        static final int SLOTS = 8;
        /** Distinct piece indexes cycled through (a 1 GiB torrent's worth). */
        static final int ROUNDS = 128;

        @Param({"1", "2"})
        public int shards;

        /** Whether the Xet stage chunks and hashes every verified piece (as for a torrent with Xet metadata). */
        @Param({"false", "true"})
        public boolean xet;

        PieceRing ring;
        ByteBuffer[] slots;
        ArrayBlockingQueue<Integer> free;
        VerifyingTarget target;
        long next;

        @Setup
        public void setup() throws NoSuchAlgorithmException {
            slots = new ByteBuffer[SLOTS];
            final byte[] hashes = new byte[SLOTS * 20];
            final MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            free = new ArrayBlockingQueue<>(SLOTS);
            for (int i = 0; i < SLOTS; i++) {
                final byte[] bytes = BenchData.randomBytes(PIECE, 100 + i);
                slots[i] = ByteBuffer.allocateDirect(PIECE).put(bytes).flip();
                System.arraycopy(sha1.digest(bytes), 0, hashes, i * 20, 20);
                free.add(i);
            }
            target = new VerifyingTarget(hashes, free, xet ? new XetChunkHasher(null) : null);
            ring = new PieceRing(SLOTS, shards, PieceRing.DISK_WRITERS_DIRECT, new Metrics());
        }

        @TearDown
        public void tearDown() {
            printStageCpu();
            ring.close();
            if (target.failed.get() != 0 || target.written.get() == 0) {
                throw new IllegalStateException("ring verified " + target.written.get() + " pieces and failed "
                    + target.failed.get() + ": the figures are not those of a working verify stage");
            }
        }

        /**
         * Records each ring thread's CPU time per piece: a verify shard's should be near {@link #sha1}'s time
         * per piece, and the Xet pass-through and no-op write stages should cost next to nothing; when they
         * do not, the ring burns CPU waiting. Printed to the benchmark log and appended to the file named by
         * {@value #DIAGNOSTICS} (set by {@link RunJmh}) for the report.
         */
        private void printStageCpu() {
            final java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            final long pieces = Math.max(1, target.written.get());
            final java.util.TreeMap<String, Long> cpu = new java.util.TreeMap<>();
            for (final Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("ccbt-ring-")) {
                    cpu.put(t.getName(), mx.getThreadCpuTime(t.threadId()));
                }
            }
            final StringBuilder line = new StringBuilder("ring, shards=" + shards + ", xet=" + xet + ", CPU per 1 MiB piece over "
                + pieces + " pieces:");
            int i = 0;
            for (final var e : cpu.entrySet()) {
                final String role = i < shards ? "verify" : i == shards ? (xet ? "xet chunk+hash" : "xet pass-through")
                    : "no-op write";
                line.append(String.format(java.util.Locale.ROOT, " %s %.0f µs;", role, e.getValue() / 1e3 / pieces));
                i++;
            }
            System.out.println(line);
            final String file = System.getProperty(DIAGNOSTICS);
            if (file != null) {
                try {
                    java.nio.file.Files.writeString(java.nio.file.Path.of(file), line + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                } catch (final java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot append to " + file, e);
                }
            }
        }
    }

    /** Publishes one pre-staged piece into the ring, waiting for a free slot first. */
    @Benchmark
    public long ring(final RingState s, final ByteCounter counter) throws InterruptedException {
        final int slot = s.free.take();
        final int piece = (int) (s.next++ % RingState.ROUNDS) * RingState.SLOTS + slot;
        while (!s.ring.publish(s.target, piece, slot, s.slots[slot])) {
            Thread.onSpinWait(); // cannot happen while the ring holds every slot; kept as the engine does
        }
        counter.bytes += PIECE;
        return s.next;
    }

    /** Verifies like the torrent session (SHA-1, compare with the expected hash); writes nothing. */
    static final class VerifyingTarget implements PieceTarget {
        private final byte[] hashes;
        private final ArrayBlockingQueue<Integer> free;
        private final XetChunkHasher chunker;
        final AtomicLong written = new AtomicLong();
        final AtomicLong failed = new AtomicLong();

        VerifyingTarget(final byte[] hashes, final ArrayBlockingQueue<Integer> free, final XetChunkHasher chunker) {
            this.hashes = hashes;
            this.free = free;
            this.chunker = chunker;
        }

        @Override
        public void chunk(final int piece, final ByteBuffer data) {
            if (chunker != null) {
                // one stream across pieces in ring order, as a file's chunking runs across its pieces
                chunker.update(data.duplicate());
                if (chunker.chunks().size() > 1 << 16) {
                    chunker.chunks().clear(); // keep the hash list bounded over a long run
                }
            }
        }

        @Override
        public boolean matches(final int piece, final byte[] digest, final int offset) {
            final int at = (piece % RingState.SLOTS) * Sha1.LENGTH;
            return java.util.Arrays.equals(digest, offset, offset + Sha1.LENGTH, hashes, at, at + Sha1.LENGTH);
        }

        @Override
        public void write(final int piece, final ByteBuffer data, final boolean direct) {
            // no-op: this benchmark measures verification and the ring, not the disk
        }

        @Override
        public void pieceDone(final int piece, final int slot, final PieceOutcome outcome, final Throwable failure) {
            (outcome == PieceOutcome.WRITTEN ? written : failed).incrementAndGet();
            free.add(slot);
        }
    }
}
