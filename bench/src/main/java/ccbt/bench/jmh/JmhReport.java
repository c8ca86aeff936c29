package ccbt.bench.jmh;

import java.util.List;
import java.util.Locale;

/**
 * Renders JMH results as the JMH section of {@code docs/benchmarks.md} and splices that section between
 * its markers, leaving the rest of the file (other sections, the swarm figures) untouched.
 */
public final class JmhReport {
    public static final String BEGIN = "<!-- jmh:begin -->";
    public static final String END = "<!-- jmh:end -->";
    public static final String SWARM_BEGIN = "<!-- swarm:begin -->";
    public static final String SWARM_END = "<!-- swarm:end -->";
    /** The benchmark whose MB/s is the single-core SHA-1 limit the hashing rows are compared with. */
    public static final String SHA1_BASELINE = "HashVerifyBench.sha1";
    /** Above this one-minute load average the figures are flagged as taken on a busy machine. */
    public static final double BUSY_LOAD = 2.0;

    private JmhReport() {
    }

    /**
     * One benchmark result.
     *
     * @param benchmark  simple class name and method, e.g. {@code BencodeBench.decodeTorrent}
     * @param params     JMH parameters as {@code name=value}, empty if none
     * @param score      primary score
     * @param error      its 99.9 % confidence half-width (NaN when JMH gives none: fewer than 3 iterations)
     * @param min        lowest iteration score
     * @param max        highest iteration score
     * @param unit       the score's unit, e.g. {@code ops/s}
     * @param bytesPerSecond bytes processed per second, NaN for benchmarks that count no bytes
     * @param shards     verify shards the figure is spread over (1 unless the benchmark has a shards parameter)
     */
    public record Row(String benchmark, String params, double score, double error, double min, double max,
                      String unit, double bytesPerSecond, int shards) {
        /** Whether the row is hashing or chunking work, compared with the SHA-1 single-core limit. */
        public boolean hashing() {
            return benchmark.startsWith("HashVerifyBench.") || benchmark.startsWith("Blake3Bench.")
                || benchmark.startsWith("ChunkerBench.");
        }

        public double megabytesPerSecond() {
            return bytesPerSecond / 1e6;
        }
    }

    /** Where and when the figures were taken. */
    public record Machine(int cores, String cpu, String cpuFlags, String jdk, String loadAtStart, double load1AtStart,
                         String loadAtEnd, String date, String settings, String longWarmup) {
    }

    /** The ratio of {@code row}'s MB/s to the SHA-1 limit times its shards, or NaN where it does not apply. */
    public static double sha1Ratio(final Row row, final List<Row> all) {
        if (!row.hashing() || Double.isNaN(row.bytesPerSecond())) {
            return Double.NaN;
        }
        for (final Row r : all) {
            if (r.benchmark().equals(SHA1_BASELINE) && r.bytesPerSecond() > 0) {
                return row.bytesPerSecond() / (r.bytesPerSecond() * row.shards());
            }
        }
        return Double.NaN;
    }

    /** The whole JMH section, markers included. */
    public static String section(final List<Row> rows, final Machine m, final String subset, final List<String> notes) {
        final StringBuilder s = new StringBuilder();
        s.append(BEGIN).append('\n');
        s.append("## JMH micro-benchmarks\n\n");
        s.append("Run them all with `bin/ccbt bench jmh` (add `--quick` for 1 warm-up and 2 one-second iterations), ")
            .append("or without the launcher:\n\n```\n")
            .append("mvn -B -q -pl bench -am package -DskipTests\n")
            .append("java -cp bench/target/ccbt-bench.jar ccbt.bench.jmh.RunJmh [--quick] [--include REGEX]\n```\n\n")
            .append("`RunJmh` forks each benchmark with the JVM flags of the parent pom (`ccbt.jvm.flags`, which ")
            .append("load `jdk.incubator.vector` for BLAKE3), then rewrites this section (between the `jmh` markers) ")
            .append("with the figures it measured. MB/s is 10^6 bytes per second of input; \"vs SHA-1\" divides a ")
            .append("hashing row's MB/s by the measured single-core SHA-1 MB/s (times the shards for the ring).\n\n");
        s.append("**Machine:** ").append(m.cores()).append(" cores, ").append(m.cpu());
        if (!m.cpuFlags().isEmpty()) {
            s.append(" (").append(m.cpuFlags()).append(')');
        }
        s.append("; ").append(m.jdk()).append(".  \n");
        s.append("**Run:** ").append(m.date()).append(", ").append(m.settings());
        if (!subset.isEmpty()) {
            s.append(", only benchmarks matching `").append(subset).append('`');
        }
        s.append(".  \n");
        if (!m.longWarmup().isEmpty()) {
            s.append("**Longer warm-up:** ").append(m.longWarmup()).append(".  \n");
        }
        s.append("**Load average** (1, 5, 15 min) at start: ").append(m.loadAtStart())
            .append("; at end: ").append(m.loadAtEnd()).append(".\n\n");
        if (m.load1AtStart() > BUSY_LOAD) {
            s.append("> This machine is shared: the load average was ").append(m.loadAtStart())
                .append(" on ").append(m.cores()).append(" cores when these figures were taken, so they are ")
                .append("lower and noisier than on an idle machine; compare ratios within one run rather than ")
                .append("absolute figures between runs.\n\n");
        }
        xetSummary(s, rows, notes);
        s.append("| benchmark | params | score | ± error (or min–max) | unit | MB/s | vs SHA-1 |\n");
        s.append("| --- | --- | ---: | ---: | --- | ---: | ---: |\n");
        for (final Row r : rows) {
            final double ratio = sha1Ratio(r, rows);
            s.append("| ").append(r.benchmark())
                .append(" | ").append(r.params())
                .append(" | ").append(number(r.score()))
                .append(" | ").append(spread(r))
                .append(" | ").append(r.unit())
                .append(" | ").append(Double.isNaN(r.bytesPerSecond()) ? "" : number(r.megabytesPerSecond()))
                .append(" | ").append(Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f×", ratio))
                .append(" |\n");
        }
        s.append('\n');
        if (!notes.isEmpty()) {
            s.append("Measured inside the benchmarks (thread CPU time; the ring lines include warm-up and list its threads in start order):\n");
            for (final String n : notes) {
                s.append("- ").append(n).append('\n');
            }
            s.append('\n');
        }
        s.append("""
            What each row measures (one thread unless said):
            - `BencodeBench`: decode a 1 000-file .torrent (about 4 GiB in 4 MiB pieces), decode an HTTP \
            tracker reply with 200 compact peers, encode the torrent; ops/s = documents.
            - `MetainfoBench.parse`: `Metainfo.parse` of the same torrent (decode, path checks, info-hash).
            - `WireDecodeBench`: ops/s = messages. `decodePieces`: PIECE messages with 16 KiB blocks and a \
            counting handler that never reads the block bytes (so its MB/s is a framing rate, not a copy); `decodePiecesIntoStaging`: the same, copying each block into an off-heap staging \
            slot; `decodeSmall`: HAVE and REQUEST alternating; `encodeRequests`: REQUEST encoding.
            - `HashVerifyBench.sha1`: SHA-1 of a direct 1 MiB buffer, one piece. \
            `HashVerifyBench.sha1Pair`: two such pieces at once (ccbt's pair hashing; MB/s counts both), the single-core limit. \
            `HashVerifyBench.sha1EightBuffers`: the same cycling through eight buffers (the ring's footprint, no threads). \
            `HashVerifyBench.ring`: the whole piece ring (verify shards → Xet stage → no-op write), \
            fed 1 MiB pieces from 8 staging slots by one producer that waits for a free slot; ops/s = pieces. \
            Each piece crosses four thread hand-offs (producer → verify → Xet → write → producer), and on a \
            loaded machine every wake-up waits for a CPU. The ring threads' CPU per piece is listed above the table: \
            the pass-through and no-op write stages should cost next to nothing. With `xet=true` the Xet stage \
            chunks and hashes every piece (one stream, one thread), the chunk-stage throughput inside the pipeline.
            - `ChunkerBench`: 64 MiB of random bytes per op through the gearhash chunker (`chunk`: one heap \
            array; `chunkPieces`: 1 MiB direct-buffer pieces), and chunking plus the keyed BLAKE3 hash of every \
            chunk (`chunkAndHash`: the array; `chunkAndHashPieces`: the pieces through one `XetChunkHasher`, the \
            Xet-chunk stage's work without the ring).
            - `Blake3Bench`: keyed BLAKE3 of one input of `size` bytes (64 KiB, the mean Xet chunk; 1 MiB): \
            ccbt's Vector API path (the default where `jdk.incubator.vector` is loaded), ccbt's scalar path \
            (each forced in its own fork with `-Dccbt.blake3.vector`), BouncyCastle `Blake3Digest`.
            - `MerkleBench.fileHash`: the Xet file hash of 1 000 chunk hashes; ops/s = file hashes.
            - `ChunkIndexBench`: Chronicle Map dedup index in a temporary directory on tmpfs (`/dev/shm`): inserts into a fresh, \
            empty index each iteration (first touches of the new memory-mapped file's pages included), lookups (present and absent) in an index of 1 000 000 chunks; ops/s = operations.
            - `PieceStoreBench`: 1 MiB piece writes and random 16 KiB block reads over a 64 MiB four-file \
            torrent in the page cache (no fsync).
            - `RequestPipelineBench.deliverAndRequest`: one peer's request pipeline held at `depth` outstanding             requests; each op delivers the oldest block and sends a new request in its place (ops/s = blocks, 65 536             per GiB).
            - `MemoryBench.copy`: 64 MiB copied between direct buffers: the memory-bandwidth yardstick \
            (traffic is twice the MB/s shown).
            """);
        s.append(END).append('\n');
        return s.toString();
    }

    /** One line of the Xet summary: a benchmark row (by name and parameters) and what to call it. */
    private record Figure(String label, String benchmark, String params) {
    }

    /** The Xet figures of issue 4, in the order they are read: limits first, then the Xet work. */
    private static final List<Figure> XET_FIGURES = List.of(
        new Figure("memory copy, 64 MiB direct buffers (the physical limit)", "MemoryBench.copy", ""),
        new Figure("SHA-1, 1 MiB, one piece", "HashVerifyBench.sha1", ""),
        new Figure("SHA-1, two 1 MiB pieces at once (the piece-verify limit)", "HashVerifyBench.sha1Pair", ""),
        new Figure("gearhash chunker, heap array", "ChunkerBench.chunk", ""),
        new Figure("gearhash chunker, 1 MiB direct pieces", "ChunkerBench.chunkPieces", ""),
        new Figure("BLAKE3 keyed, vector path, 64 KiB", "Blake3Bench.ccbtVector", "size=65536"),
        new Figure("BLAKE3 keyed, vector path, 1 MiB", "Blake3Bench.ccbtVector", "size=1048576"),
        new Figure("BLAKE3 keyed, scalar path, 64 KiB", "Blake3Bench.ccbtScalar", "size=65536"),
        new Figure("BLAKE3 keyed, scalar path, 1 MiB", "Blake3Bench.ccbtScalar", "size=1048576"),
        new Figure("BLAKE3 keyed, BouncyCastle, 64 KiB", "Blake3Bench.bouncyCastle", "size=65536"),
        new Figure("chunk + hash, heap array", "ChunkerBench.chunkAndHash", ""),
        new Figure("chunk + hash, 1 MiB direct pieces (XetChunkHasher)", "ChunkerBench.chunkAndHashPieces", ""),
        new Figure("Xet stage inside the ring (1 verify shard)", "HashVerifyBench.ring", "shards=1, xet=true"),
        new Figure("dedup index inserts (ops/s)", "ChunkIndexBench.insert", ""),
        new Figure("dedup index lookups, present (ops/s)", "ChunkIndexBench.lookupHit", ""),
        new Figure("dedup index lookups, absent (ops/s)", "ChunkIndexBench.lookupMiss", ""));

    /**
     * The Xet figures beside the machine's limits (memory copy and SHA-1 on one core), for the rows of
     * {@link #XET_FIGURES} that this run measured; nothing if it measured none of them.
     */
    static void xetSummary(final StringBuilder s, final List<Row> rows, final List<String> notes) {
        final Row memory = find(rows, "MemoryBench.copy", "");
        final Row sha1 = find(rows, SHA1_BASELINE, "");
        final java.util.Map<String, String> cpuRates = new java.util.HashMap<>();
        for (final String n : notes) {
            final java.util.regex.Matcher m = CPU_RATE.matcher(n);
            if (m.find()) {
                cpuRates.put(m.group(1) + " [" + m.group(2) + "]", m.group(3));
            }
        }
        final StringBuilder lines = new StringBuilder();
        for (final Figure f : XET_FIGURES) {
            final Row r = find(rows, f.benchmark(), f.params());
            if (r == null) {
                continue;
            }
            final boolean bytes = !Double.isNaN(r.bytesPerSecond());
            lines.append("| ").append(f.label()).append(" | ")
                .append(bytes ? number(r.megabytesPerSecond()) + " MB/s" : number(r.score()) + " " + r.unit())
                .append(" | ").append(cpuRates.containsKey(f.benchmark() + " [" + f.params() + "]")
                    ? number(Double.parseDouble(cpuRates.get(f.benchmark() + " [" + f.params() + "]"))) + " MB/s" : "")
                .append(" | ").append(bytes && memory != null ? ratio(r, memory) : "")
                .append(" | ").append(bytes && sha1 != null ? ratio(r, sha1) : "")
                .append(" |\n");
        }
        if (lines.isEmpty()) {
            return;
        }
        s.append("Xet figures per core beside the machine's limits (from the table below; \"per CPU-second\" divides ")
            .append("the bytes by the benchmark thread's CPU time instead of the wall time, so that other load on the ")
            .append("machine distorts it less; the ratios use the wall-clock rates of this run):\n\n");
        s.append("| what | per core | per CPU-second | vs memory copy | vs SHA-1 |\n| --- | ---: | ---: | ---: | ---: |\n");
        s.append(lines).append('\n');
    }

    /** A {@link ByteCounter} CPU-rate line: benchmark, parameters, MB per CPU-second. */
    private static final java.util.regex.Pattern CPU_RATE =
        java.util.regex.Pattern.compile("^(\\S+) \\[([^\\]]*)\\]: (\\d+) MB per CPU-second");

    private static Row find(final List<Row> rows, final String benchmark, final String params) {
        for (final Row r : rows) {
            if (r.benchmark().equals(benchmark) && r.params().equals(params)) {
                return r;
            }
        }
        return null;
    }

    private static String ratio(final Row r, final Row base) {
        return base.bytesPerSecond() > 0 ? String.format(Locale.ROOT, "%.2f×", r.bytesPerSecond() / base.bytesPerSecond()) : "";
    }

    /**
     * {@code document} with its JMH section replaced by {@code section}; a missing document (null) becomes
     * a short introduction with both the JMH and swarm marker pairs, and a document without JMH markers
     * gets the section appended.
     */
    public static String splice(final String document, final String section) {
        if (document == null) {
            return """
                # ccbt benchmarks

                Figures measured on the machines named in each section; every number here comes from a run of \
                the command given beside it. Sections are rewritten by their tools between their markers.

                """ + section + "\n" + SWARM_BEGIN + "\n" + SWARM_END + "\n";
        }
        final int begin = document.indexOf(BEGIN);
        final int end = document.indexOf(END);
        if (begin < 0 || end < begin) {
            if (begin >= 0 || end >= 0) {
                throw new IllegalArgumentException("docs/benchmarks.md has an unmatched " + (begin >= 0 ? BEGIN : END)
                    + " marker; fix it by hand before rewriting the section");
            }
            return document + (document.endsWith("\n") ? "\n" : "\n\n") + section;
        }
        int after = end + END.length();
        if (after < document.length() && document.charAt(after) == '\n') {
            after++;
        }
        return document.substring(0, begin) + section + document.substring(after);
    }

    /** The confidence half-width where JMH computed one, else the range of the iterations. */
    private static String spread(final Row r) {
        if (!Double.isNaN(r.error())) {
            return number(r.error());
        }
        if (!Double.isNaN(r.min()) && r.max() > r.min()) {
            return "(" + number(r.min()) + "–" + number(r.max()) + ")";
        }
        return "";
    }

    private static String number(final double v) {
        final double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
