package ccbt.bench.swarm;

import ccbt.core.DirectBuffers;
import ccbt.core.hash.Sha1;
import ccbt.core.hash.Sha1Pair;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The machine's limits, measured in the same run as the scenarios so that each result can be read as a fraction
 * of what the machine can do at all.
 *
 * @param cores           available processors
 * @param sha1PerCore     SHA-1 bytes/s on one core over a direct buffer, best pass of the fastest way at hand: the
 *                        JDK's {@code MessageDigest}, ccbt's native SHA-1 of one message ({@link Sha1}), or of two
 *                        messages at once ({@link Sha1Pair}, two halves of the buffer)
 * @param sha1Source      which way that was, e.g. "ccbt's SHA extensions library, two messages at once"
 * @param loopbackTcp     bytes/s from this JVM to a Python sink process over 127.0.0.1
 * @param diskWrite       sequential write bytes/s to the work directory until the writes returned (page cache)
 * @param diskWriteFsync  the same write with the final fsync included (what the device sustains)
 * @param diskReadCold    sequential read bytes/s after the file's pages were dropped from the page cache
 *                        ({@code posix_fadvise(DONTNEED)}; NaN when that was not possible)
 * @param diskReadCached  sequential read bytes/s of the same file from the page cache
 * @param diskBytes       size of the file written and read
 */
public record MachineLimits(int cores, double sha1PerCore, String sha1Source, double loopbackTcp, double diskWrite, double diskWriteFsync,
                            double diskReadCold, double diskReadCached, long diskBytes) {
    private static final int SHA_BUFFER = 64 << 20;
    private static final int IO_CHUNK = 4 << 20;
    private static final int POSIX_FADV_DONTNEED = 4; // linux/fadvise.h
    private static final int O_RDONLY = 0;

    /** SHA-1 over all cores: the hash-verify stage's ceiling. */
    public double sha1AllCores() {
        return sha1PerCore * cores;
    }

    /**
     * The limit that binds a transfer: data crosses loopback, is hashed, and is written. Clients report a download
     * complete once the writes returned, not after an fsync, so the buffered write is the bound (while the payload
     * fits under the kernel's dirty-page limit; past that, writes slow towards the fsync figure).
     */
    public Map.Entry<String, Double> transferLimit() {
        return min(Map.of("loopback TCP", loopbackTcp, "SHA-1 x cores", sha1AllCores(), "disk write", diskWrite));
    }

    /** The limit that binds a recheck of content the page cache holds: hashing, or reading from the cache. */
    public Map.Entry<String, Double> recheckLimit() {
        return min(Map.of("SHA-1 x cores", sha1AllCores(), "cached read", diskReadCached));
    }

    private static Map.Entry<String, Double> min(final Map<String, Double> limits) {
        return limits.entrySet().stream().filter(e -> e.getValue() > 0 && Double.isFinite(e.getValue()))
            .min(Map.Entry.comparingByValue()).orElse(Map.entry("none", Double.NaN));
    }

    /** The figures as a JSON-ready map. */
    public Map<String, Object> toMap() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", cores);
        m.put("sha1_per_core_bytes_per_s", sha1PerCore);
        m.put("sha1_source", sha1Source);
        m.put("sha1_all_cores_bytes_per_s", sha1AllCores());
        m.put("loopback_tcp_bytes_per_s", loopbackTcp);
        m.put("disk_write_bytes_per_s", diskWrite);
        m.put("disk_write_fsync_bytes_per_s", diskWriteFsync);
        m.put("disk_read_cold_bytes_per_s", diskReadCold);
        m.put("disk_read_cached_bytes_per_s", diskReadCached);
        m.put("disk_test_bytes", diskBytes);
        return m;
    }

    /** Measures everything; {@code quick} shortens each measurement for tests. */
    public static MachineLimits measure(final Path dir, final long diskBytes, final boolean quick) throws IOException {
        final int cores = Runtime.getRuntime().availableProcessors();
        final int passes = quick ? 2 : 5;
        final double jdk = sha1PerCore(Sha1.jdk(), passes);
        final double ccbt = Sha1.isNative() ? sha1PerCore(Sha1.create(), passes) : 0;
        final double pair = Sha1Pair.isAvailable() ? sha1PairPerCore(passes) : 0;
        final double sha1 = Math.max(jdk, Math.max(ccbt, pair));
        final String sha1Source = pair == sha1 ? Sha1.implementation() + ", two messages at once"
            : ccbt == sha1 ? Sha1.implementation() : "JDK MessageDigest";
        final double tcp = loopbackTcp(quick ? 0.5 : 2.0);
        final double[] disk = disk(dir, diskBytes);
        return new MachineLimits(cores, sha1, sha1Source, tcp, disk[0], disk[1], disk[2], disk[3], diskBytes);
    }

    static double sha1PerCore(final Sha1 sha1, final int passes) {
        final ByteBuffer buffer = randomBuffer();
        return bestRate(passes, () -> {
            buffer.clear();
            sha1.update(buffer);
            sha1.digest();
        });
    }

    /** Both halves of the buffer as the two messages of a pair: bytes/s of the whole buffer on this one core. */
    static double sha1PairPerCore(final int passes) {
        final ByteBuffer buffer = randomBuffer();
        final Sha1Pair pair = Sha1Pair.create();
        final byte[] digests = new byte[2 * Sha1.LENGTH];
        return bestRate(passes, () -> {
            pair.update(buffer.slice(0, SHA_BUFFER / 2), buffer.slice(SHA_BUFFER / 2, SHA_BUFFER / 2));
            pair.digest(digests, 0, digests, Sha1.LENGTH);
        });
    }

    /** The best of {@code passes} timed runs of {@code hashBuffer} over {@link #SHA_BUFFER} bytes, after one warm-up. */
    private static double bestRate(final int passes, final Runnable hashBuffer) {
        double best = 0;
        for (int i = 0; i < passes + 1; i++) { // the first pass warms up the code and is not counted
            final long start = System.nanoTime();
            hashBuffer.run();
            final double rate = SHA_BUFFER / ((System.nanoTime() - start) / 1e9);
            if (i > 0) {
                best = Math.max(best, rate);
            }
        }
        return best;
    }

    private static ByteBuffer randomBuffer() {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(SHA_BUFFER);
        final SplittableRandom random = new SplittableRandom(1);
        while (buffer.remaining() >= Long.BYTES) {
            buffer.putLong(random.nextLong());
        }
        return buffer.clear();
    }

    /** Streams from this JVM into a {@code /usr/bin/python3} sink for {@code seconds}; the sink times what it got. */
    static double loopbackTcp(final double seconds) throws IOException {
        final String sink = String.join("\n",
            "import socket, time",
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)",
            "print(s.getsockname()[1], flush=True)",
            "c, _ = s.accept(); buf = memoryview(bytearray(1 << 20)); n = 0; t0 = None",
            "while True:",
            "    k = c.recv_into(buf)",
            "    if k == 0: break",
            "    if t0 is None: t0 = time.monotonic()",
            "    n += k",
            "print(n, time.monotonic() - t0, flush=True)");
        final Process p = new ProcessBuilder(LibtorrentClient.PYTHON, "-c", sink).redirectErrorStream(true).start();
        try {
            final var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            final int port = Integer.parseInt(out.readLine().strip());
            final ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                final long end = System.nanoTime() + (long) (seconds * 1e9);
                while (System.nanoTime() - end < 0) {
                    block.clear();
                    while (block.hasRemaining()) {
                        ch.write(block);
                    }
                }
            }
            final String[] result = out.readLine().strip().split(" ");
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IOException("loopback sink did not finish");
            }
            return Long.parseLong(result[0]) / Double.parseDouble(result[1]);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while measuring loopback TCP", e);
        } catch (final RuntimeException e) {
            throw new IOException("loopback TCP measurement failed: " + e, e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Returns {write, write with fsync, cold read, cached read} in bytes/s for a file of {@code bytes} in {@code dir}. */
    static double[] disk(final Path dir, final long bytes) throws IOException {
        Files.createDirectories(dir);
        final Path file = dir.resolve("disk-limit.tmp");
        final ByteBuffer block = DirectBuffers.cacheAligned(IO_CHUNK); // aligned as the engine's read buffers are
        final SplittableRandom random = new SplittableRandom(2);
        while (block.remaining() >= Long.BYTES) {
            block.putLong(random.nextLong());
        }
        try {
            final long start = System.nanoTime();
            final long written;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long done = 0; done < bytes; done += IO_CHUNK) {
                    block.clear().limit((int) Math.min(IO_CHUNK, bytes - done));
                    while (block.hasRemaining()) {
                        ch.write(block);
                    }
                }
                written = System.nanoTime();
                ch.force(true);
            }
            final double write = bytes / ((written - start) / 1e9);
            final double writeFsync = bytes / ((System.nanoTime() - start) / 1e9);
            final double cold = dropCache(file) ? read(file, block) : Double.NaN;
            final double cached = read(file, block);
            return new double[] {write, writeFsync, cold, cached};
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double read(final Path file, final ByteBuffer block) throws IOException {
        final long start = System.nanoTime();
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                block.clear();
                final int n = ch.read(block);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        }
        return total / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Drops the file's clean pages from the page cache with {@code posix_fadvise(POSIX_FADV_DONTNEED)}, which needs
     * no privileges (unlike {@code /proc/sys/vm/drop_caches}). False if the native call is not available.
     */
    static boolean dropCache(final Path file) {
        try {
            final Linker linker = Linker.nativeLinker();
            final var libc = linker.defaultLookup();
            final MethodHandle open = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            final MethodHandle fadvise = linker.downcallHandle(libc.find("posix_fadvise").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            final MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                final int fd = (int) open.invokeExact(arena.allocateFrom(file.toString()), O_RDONLY);
                if (fd < 0) {
                    return false;
                }
                final int rc = (int) fadvise.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
                final int ignored = (int) close.invokeExact(fd);
                return rc == 0;
            }
        } catch (final Throwable e) {
            return false; // no native access here: the report then shows the cold read as not measured
        }
    }
}
