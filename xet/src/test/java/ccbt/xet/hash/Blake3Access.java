package ccbt.xet.hash;

/** Test access to the scalar BLAKE3 path from other packages. */
public final class Blake3Access {
    private Blake3Access() {
    }

    public static Blake3 scalar() {
        return Blake3.newHasher(false);
    }
}
