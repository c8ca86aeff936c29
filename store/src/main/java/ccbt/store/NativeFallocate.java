package ccbt.store;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * {@code posix_fallocate(3)} through the FFM API, for {@link Preallocation#FULL}. The file is opened by
 * path with {@code open(2)} rather than digging the descriptor out of a {@code FileChannel} by
 * reflection. {@link #available()} is false off Linux/glibc or when native access is denied; callers
 * then fall back to writing zeros.
 */
final class NativeFallocate {
    private static final int O_WRONLY = 1; // <fcntl.h> on Linux
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle POSIX_FALLOCATE;

    static {
        final MethodHandle[] handles = link();
        OPEN = handles[0];
        CLOSE = handles[1];
        POSIX_FALLOCATE = handles[2];
    }

    /** {open, close, posix_fallocate}, all null where they cannot be linked. */
    @SuppressWarnings("restricted") // native access is what FULL preallocation is for; see the class comment
    private static MethodHandle[] link() {
        try {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return new MethodHandle[3];
            }
            final Linker linker = Linker.nativeLinker();
            final SymbolLookup libc = linker.defaultLookup();
            return new MethodHandle[] {
                linker.downcallHandle(libc.find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT),
                        Linker.Option.firstVariadicArg(2)),
                linker.downcallHandle(libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                linker.downcallHandle(libc.find("posix_fallocate").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_LONG)),
            };
        } catch (final RuntimeException e) {
            // No native access (e.g. --enable-native-access denied) or no such symbol: zeros are written instead.
            return new MethodHandle[3];
        }
    }

    private NativeFallocate() {
    }

    static boolean available() {
        return OPEN != null && CLOSE != null && POSIX_FALLOCATE != null;
    }

    /**
     * Allocates blocks for bytes {@code [0, length)} of an existing file, extending it if shorter; data
     * already there is kept. Returns 0, or the error number ({@code ENOSPC} = 28 when the disk is full),
     * or -1 if the file could not be opened.
     */
    static int fallocate(final Path file, final long length) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment cPath = arena.allocateFrom(file.toString());
            final int fd = (int) OPEN.invokeExact(cPath, O_WRONLY, 0);
            if (fd < 0) {
                return -1;
            }
            try {
                return (int) POSIX_FALLOCATE.invokeExact(fd, 0L, length);
            } finally {
                final int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (final Throwable t) {
            throw new IllegalStateException("posix_fallocate call failed for " + file, t);
        }
    }
}
