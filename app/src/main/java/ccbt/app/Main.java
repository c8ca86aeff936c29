package ccbt.app;

/** Entry point of the {@code ccbt} command line. */
public final class Main {
    private Main() {
    }

    public static void main(final String[] args) {
        System.out.println("ccbt");
    }
}
