package ccbt.core.bencode;

/** A bencode integer; bencode integers are bounded to a signed 64-bit value here. */
public record BInt(long value) implements BValue {
    @Override
    public String toString() {
        return Long.toString(value);
    }
}
