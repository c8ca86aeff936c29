package ccbt.core.hash;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.agrona.BufferUtil;

/**
 * SHA-1 of v1 pieces, one instance per thread. It runs on ccbt's own library ({@link ShaNi}) where it was built and
 * the CPU has the SHA extensions, else on OpenSSL's libcrypto when the system has it, else on the JDK's
 * {@link MessageDigest}. Why: the JDK hashes a direct buffer through a 4 KiB heap bounce copy and its SHA-1
 * intrinsic exists only in C2, while ccbt's pieces live off-heap and most of its code runs as C1 code; the native
 * ones hash the staging memory where it lies (docs/performance.md). Two pieces at once go faster through
 * {@link Sha1Pair}. {@code -Dccbt.sha1=jdk} forces the JDK, {@code openssl} requires libcrypto.
 */
public abstract sealed class Sha1 permits Sha1.Native, Sha1.OpenSsl, Sha1.Jdk {
    /** Bytes of a SHA-1 digest. */
    public static final int LENGTH = 20;

    /** libcrypto, bound only where ccbt's library cannot be used: its downcalls cost start-up time ({@link ShaNi}). */
    private static final OpenSslFunctions OPENSSL = ShaNi.AVAILABLE ? null
            : OpenSslFunctions.load(System.getProperty("ccbt.sha1", "auto"));

    private final byte[] digest = new byte[LENGTH];

    /** A new hasher, reset; not thread-safe. */
    public static Sha1 create() {
        return ShaNi.AVAILABLE ? new Native() : OPENSSL != null ? new OpenSsl(OPENSSL) : new Jdk();
    }

    /** A hasher on the JDK's {@link MessageDigest} whatever the process uses, to compare the two. */
    public static Sha1 jdk() {
        return new Jdk();
    }

    /** What computes SHA-1 in this process, for logs and reports (e.g. "OpenSSL 3.0.19 27 Jan 2026 (libcrypto)"). */
    public static String implementation() {
        return ShaNi.AVAILABLE ? "ccbt's SHA extensions library"
                : OPENSSL != null ? OPENSSL.version + " (libcrypto)"
                : "JDK MessageDigest";
    }

    /** True if this process hashes with native code (ccbt's library or libcrypto). */
    public static boolean isNative() {
        return ShaNi.AVAILABLE || OPENSSL != null;
    }

    /** Starts a new digest. */
    public abstract void reset();

    /** Adds the bytes from {@code data}'s position to its limit and moves its position to the limit. */
    public abstract void update(ByteBuffer data);

    /** Adds {@code length} bytes of {@code bytes} from {@code offset}. */
    public abstract void update(byte[] bytes, int offset, int length);

    /** Finishes the digest into {@code out} at {@code offset} (20 bytes) and resets. */
    public abstract void digest(byte[] out, int offset);

    /** Finishes the digest and returns it in a new array; resets. */
    public final byte[] digest() {
        final byte[] out = new byte[LENGTH];
        digest(out, 0);
        return out;
    }

    /** Finishes the digest, resets, and tells whether it equals the 20 bytes of {@code expected} at {@code offset}. */
    public final boolean digestMatches(final byte[] expected, final int offset) {
        digest(digest, 0);
        return Arrays.equals(digest, 0, LENGTH, expected, offset, offset + LENGTH);
    }

    /** SHA-1 through ccbt's library ({@link ShaNi.Lanes}, one lane). */
    static final class Native extends Sha1 {
        /** Heap input is copied through native memory in slices this long (the library reads native memory only). */
        private static final int HEAP_SLICE = 16 * 1024;

        private final ShaNi.Lanes lane = new ShaNi.Lanes(1, HEAP_SLICE);

        @Override
        public void reset() {
            lane.reset();
        }

        @Override
        public void update(final ByteBuffer data) {
            final int bytes = data.remaining();
            if (data.isDirect()) {
                lane.update(BufferUtil.address(data) + data.position(), 0, bytes);
                Reference.reachabilityFence(data);
            } else {
                lane.updateFromHeap(data.array(), data.arrayOffset() + data.position(), bytes);
            }
            data.position(data.limit());
        }

        @Override
        public void update(final byte[] bytes, final int offset, final int count) {
            lane.updateFromHeap(bytes, offset, count);
        }

        @Override
        public void digest(final byte[] out, final int offset) {
            lane.finish(out, offset, null, 0);
        }
    }

    /** SHA-1 through libcrypto's {@code SHA1_Init/Update/Final}, with the context in native memory. */
    static final class OpenSsl extends Sha1 {
        /** {@code SHA_CTX} is 96 bytes in OpenSSL 1.1 and 3.x; room to spare, then the digest. */
        private static final long CONTEXT_BYTES = 256;

        private final OpenSslFunctions f;
        /** Freed by the GC with this hasher: the calls below pass its address, so each keeps {@code this} reachable. */
        private final MemorySegment memory;
        private final long context;
        private final long out;
        /** Heap input goes through here (a downcall takes native addresses only); allocated on first use. */
        private MemorySegment scratch;

        OpenSsl(final OpenSslFunctions f) {
            this.f = f;
            this.memory = Arena.ofAuto().allocate(CONTEXT_BYTES + LENGTH, 64);
            this.context = memory.address();
            this.out = context + CONTEXT_BYTES;
            reset();
        }

        @Override
        public void reset() {
            check(f.init(context), "SHA1_Init");
            Reference.reachabilityFence(this);
        }

        @Override
        public void update(final ByteBuffer data) {
            final int length = data.remaining();
            if (length == 0) {
                return;
            }
            if (data.isDirect()) {
                check(f.update(context, BufferUtil.address(data) + data.position(), length), "SHA1_Update");
                Reference.reachabilityFence(data);
                Reference.reachabilityFence(this);
                data.position(data.limit());
            } else {
                update(data.array(), data.arrayOffset() + data.position(), length);
                data.position(data.limit());
            }
        }

        @Override
        public void update(final byte[] bytes, final int offset, final int length) {
            java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
            if (scratch == null) {
                scratch = Arena.ofAuto().allocate(64 * 1024, 64);
            }
            int done = 0;
            while (done < length) {
                final int n = (int) Math.min(length - done, scratch.byteSize());
                MemorySegment.copy(bytes, offset + done, scratch, ValueLayout.JAVA_BYTE, 0, n);
                check(f.update(context, scratch.address(), n), "SHA1_Update");
                done += n;
            }
            Reference.reachabilityFence(this);
        }

        @Override
        public void digest(final byte[] into, final int offset) {
            check(f.finish(out, context), "SHA1_Final");
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, CONTEXT_BYTES, into, offset, LENGTH);
            reset();
            Reference.reachabilityFence(this);
        }

        private static void check(final int result, final String function) {
            if (result != 1) {
                throw new IllegalStateException("libcrypto " + function + " failed (" + result + ")");
            }
        }
    }

    /** SHA-1 through the JDK's provider. */
    static final class Jdk extends Sha1 {
        private final MessageDigest sha1;

        Jdk() {
            try {
                this.sha1 = MessageDigest.getInstance("SHA-1");
            } catch (final NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is required of every JDK", e);
            }
        }

        @Override
        public void reset() {
            sha1.reset();
        }

        @Override
        public void update(final ByteBuffer data) {
            sha1.update(data);
        }

        @Override
        public void update(final byte[] bytes, final int offset, final int length) {
            java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
            sha1.update(bytes, offset, length);
        }

        @Override
        public void digest(final byte[] into, final int offset) {
            try {
                sha1.digest(into, offset, LENGTH);
            } catch (final DigestException e) {
                throw new IllegalArgumentException("no room for 20 bytes at " + offset + " of " + into.length, e);
            }
        }
    }

    /**
     * The three libcrypto functions, bound once per process. Pointers are passed as {@code long}: on the 64-bit
     * C calling conventions a pointer and a 64-bit integer travel alike, and a {@code long} needs no
     * {@link MemorySegment} per call, so hashing allocates nothing.
     */
    static final class OpenSslFunctions {
        private static final String[] LIBRARIES = {"libcrypto.so.3", "libcrypto.so"};

        final String version;
        private final MethodHandle init;
        private final MethodHandle update;
        private final MethodHandle finish;

        private OpenSslFunctions(final SymbolLookup lib, final String version) {
            final Linker linker = Linker.nativeLinker();
            final ValueLayout.OfLong pointer = ValueLayout.JAVA_LONG;
            this.version = version;
            this.init = linker.downcallHandle(lib.findOrThrow("SHA1_Init"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, pointer));
            this.update = linker.downcallHandle(lib.findOrThrow("SHA1_Update"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, pointer, pointer, ValueLayout.JAVA_LONG));
            this.finish = linker.downcallHandle(lib.findOrThrow("SHA1_Final"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, pointer, pointer));
        }

        /** The functions, or null to use the JDK; {@code choice} is {@code auto}, {@code openssl} or {@code jdk}. */
        static OpenSslFunctions load(final String choice) {
            switch (choice) {
                case "jdk":
                    return null;
                case "auto":
                case "openssl":
                    break;
                default:
                    throw new IllegalArgumentException("ccbt.sha1 is '" + choice + "': expected auto, openssl or jdk");
            }
            Throwable why = null;
            if (ValueLayout.ADDRESS.byteSize() == Long.BYTES) {
                for (final String name : LIBRARIES) {
                    try {
                        final SymbolLookup lib = SymbolLookup.libraryLookup(name, Arena.global());
                        final MethodHandle versionOf = Linker.nativeLinker().downcallHandle(
                                lib.findOrThrow("OpenSSL_version"),
                                FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(
                                        java.lang.foreign.MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                                        ValueLayout.JAVA_INT));
                        final String version = ((MemorySegment) versionOf.invokeExact(0)).getString(0);
                        final OpenSslFunctions f = new OpenSslFunctions(lib, version);
                        f.selfTest();
                        return f;
                    } catch (final Throwable e) {
                        why = e;
                    }
                }
            }
            if (choice.equals("openssl")) {
                throw new IllegalStateException("ccbt.sha1=openssl but libcrypto could not be used", why);
            }
            return null;
        }

        /** FIPS 180-2 test vector: SHA-1("abc"); a library that disagrees is not used. */
        private void selfTest() {
            final Sha1 s = new OpenSsl(this);
            s.update("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 3);
            final byte[] d = s.digest();
            if (!java.util.HexFormat.of().formatHex(d).equals("a9993e364706816aba3e25717850c26c9cd0d89d")) {
                throw new IllegalStateException("libcrypto SHA-1 of \"abc\" is wrong");
            }
        }

        int init(final long context) {
            try {
                return (int) init.invokeExact(context);
            } catch (final Throwable e) {
                throw new IllegalStateException("SHA1_Init", e);
            }
        }

        int update(final long context, final long data, final long length) {
            try {
                return (int) update.invokeExact(context, data, length);
            } catch (final Throwable e) {
                throw new IllegalStateException("SHA1_Update", e);
            }
        }

        int finish(final long digest, final long context) {
            try {
                return (int) finish.invokeExact(digest, context);
            } catch (final Throwable e) {
                throw new IllegalStateException("SHA1_Final", e);
            }
        }
    }
}
