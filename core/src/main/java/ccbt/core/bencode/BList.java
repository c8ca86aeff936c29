package ccbt.core.bencode;

import java.util.List;

/** A bencode list; the item list is immutable. */
public record BList(List<BValue> items) implements BValue {
    /** Copies {@code items} into an immutable list (nulls are rejected). */
    public BList {
        items = List.copyOf(items);
    }

    /** A list of the given values. */
    public static BList of(BValue... items) {
        return new BList(List.of(items));
    }

    /** The number of items. */
    public int size() {
        return items.size();
    }

    /** The item at {@code index}. */
    public BValue get(int index) {
        return items.get(index);
    }
}
