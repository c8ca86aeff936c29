package ccbt.core.bencode;

/** A decoded bencode value: an integer, a byte string, a list or a dictionary. */
public sealed interface BValue permits BInt, BString, BList, BDict {
    /** A short name of the bencode type, used in error messages ("integer", "string", "list", "dictionary"). */
    default String typeName() {
        return switch (this) {
            case BInt i -> "integer";
            case BString s -> "string";
            case BList l -> "list";
            case BDict d -> "dictionary";
        };
    }
}
