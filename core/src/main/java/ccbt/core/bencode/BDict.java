package ccbt.core.bencode;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A bencode dictionary: byte-string keys in ascending raw (unsigned) byte order. Immutable.
 *
 * <p>A decoded dictionary remembers the byte span it occupied in the input ({@link #sourceStart()},
 * {@link #sourceEnd()}), so that a hash over the original bytes (the info-hash) never depends on re-encoding.
 */
public final class BDict implements BValue {
    private final Map<BString, BValue> entries;
    private final int sourceStart;
    private final int sourceEnd;

    /** {@code sorted} must already be in ascending key order; it is not copied. */
    BDict(LinkedHashMap<BString, BValue> sorted, int sourceStart, int sourceEnd) {
        this.entries = Collections.unmodifiableMap(sorted);
        this.sourceStart = sourceStart;
        this.sourceEnd = sourceEnd;
    }

    /** A builder of a dictionary; keys are sorted when it is built. */
    public static Builder builder() {
        return new Builder();
    }

    /** The value of {@code key} (UTF-8), or null if absent. */
    public BValue get(String key) {
        return entries.get(BString.of(key));
    }

    /** The value of the raw {@code key}, or null if absent. */
    public BValue get(BString key) {
        return entries.get(key);
    }

    /** Whether {@code key} is present. */
    public boolean containsKey(String key) {
        return get(key) != null;
    }

    /** The dictionary under {@code key}; throws {@link BencodeException} naming the key if absent or not a dictionary. */
    public BDict dict(String key) {
        return required(key, BDict.class);
    }

    /** The list under {@code key}; throws if absent or not a list. */
    public BList list(String key) {
        return required(key, BList.class);
    }

    /** The integer under {@code key}; throws if absent or not an integer. */
    public long integer(String key) {
        return required(key, BInt.class).value();
    }

    /** The byte string under {@code key}; throws if absent or not a string. */
    public BString bytes(String key) {
        return required(key, BString.class);
    }

    /** The byte string under {@code key} decoded as strict UTF-8; throws if absent, not a string or not UTF-8. */
    public String string(String key) {
        return utf8(key, bytes(key));
    }

    /** The dictionary under {@code key}, or null if absent; throws if present with another type. */
    public BDict optDict(String key) {
        return optional(key, BDict.class);
    }

    /** The list under {@code key}, or null if absent; throws if present with another type. */
    public BList optList(String key) {
        return optional(key, BList.class);
    }

    /** The integer under {@code key}, or null if absent; throws if present with another type. */
    public Long optInteger(String key) {
        BInt i = optional(key, BInt.class);
        return i == null ? null : i.value();
    }

    /** The byte string under {@code key}, or null if absent; throws if present with another type. */
    public BString optBytes(String key) {
        return optional(key, BString.class);
    }

    /** The UTF-8 string under {@code key}, or null if absent; throws if present with another type or not UTF-8. */
    public String optString(String key) {
        BString s = optBytes(key);
        return s == null ? null : utf8(key, s);
    }

    /** The keys in dictionary order, as UTF-8 (keys that are not valid UTF-8 appear with replacement characters). */
    public Set<String> keys() {
        Set<String> out = new LinkedHashSet<>();
        for (BString k : entries.keySet()) {
            out.add(new String(k.bytes(), StandardCharsets.UTF_8));
        }
        return Collections.unmodifiableSet(out);
    }

    /** The raw keys in dictionary order. */
    public List<BString> rawKeys() {
        return List.copyOf(entries.keySet());
    }

    /** The entries in dictionary (ascending raw key) order; unmodifiable. */
    public Map<BString, BValue> entries() {
        return entries;
    }

    /** The number of entries. */
    public int size() {
        return entries.size();
    }

    /** Offset of this dictionary's 'd' in the decoded input, or -1 if it was built rather than decoded. */
    public int sourceStart() {
        return sourceStart;
    }

    /** Offset just past this dictionary's 'e' in the decoded input, or -1 if it was built. */
    public int sourceEnd() {
        return sourceEnd;
    }

    private <T extends BValue> T required(String key, Class<T> type) {
        T v = optional(key, type);
        if (v == null) {
            throw new BencodeException("missing key '" + key + "'");
        }
        return v;
    }

    private <T extends BValue> T optional(String key, Class<T> type) {
        BValue v = get(key);
        if (v == null) {
            return null;
        }
        if (!type.isInstance(v)) {
            throw new BencodeException("key '" + key + "' holds a " + v.typeName() + ", expected a " + expected(type));
        }
        return type.cast(v);
    }

    private static String expected(Class<?> type) {
        if (type == BInt.class) {
            return "integer";
        } else if (type == BString.class) {
            return "string";
        } else if (type == BList.class) {
            return "list";
        }
        return "dictionary";
    }

    private static String utf8(String key, BString s) {
        if (!s.isUtf8()) {
            throw new BencodeException("key '" + key + "' is not valid UTF-8: " + s);
        }
        return s.utf8();
    }

    /** Equal when the entries are equal; the source span does not take part. */
    @Override
    public boolean equals(Object o) {
        return o instanceof BDict other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    /** Collects entries in any order; {@link #build()} sorts them by raw key bytes. A repeated key replaces the earlier value. */
    public static final class Builder {
        private final TreeMap<BString, BValue> entries = new TreeMap<>();

        private Builder() {}

        public Builder put(BString key, BValue value) {
            entries.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
            return this;
        }

        public Builder put(String key, BValue value) {
            return put(BString.of(key), value);
        }

        public Builder put(String key, long value) {
            return put(key, new BInt(value));
        }

        public Builder put(String key, String utf8) {
            return put(key, BString.of(utf8));
        }

        public Builder put(String key, byte[] bytes) {
            return put(key, BString.of(bytes));
        }

        /** Adds every entry of {@code map} (for extension fields supplied by other modules). */
        public Builder putAll(Map<String, ? extends BValue> map) {
            map.forEach(this::put);
            return this;
        }

        public BDict build() {
            return new BDict(new LinkedHashMap<>(entries), -1, -1);
        }
    }
}
