package ccbt.app;

import java.util.Arrays;
import java.util.concurrent.Callable;

/** Entry point of the {@code ccbt} command line. */
public final class Main {
    static {
        // Netty registers its buffer-allocation JFR events when it loads, which starts JFR's type system and
        // the class-file API: about 140 classes and their compilation on every start, for events nobody records.
        // An operator who wants them passes -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    private Main() {
    }

    /** {@code ccbt} and its commands, in the order of the usage text. */
    static final CommandSpec<Callable<Integer>> SPEC = CommandSpec.group("ccbt", "A high-throughput BitTorrent engine and seedbox server.")
        .version("ccbt 0.1.0")
        .subcommand(InfoCommand.SPEC).subcommand(CreateCommand.SPEC).subcommand(DownloadCommand.SPEC)
        .subcommand(SeedCommand.SPEC).subcommand(RecheckCommand.SPEC).subcommand(DemoCommand.SPEC)
        .subcommand(XetCommand.SPEC).subcommand(AotTrainingCommand.SPEC);

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(final String... args) {
        return SPEC.execute(Arrays.asList(args), System.out, System.err);
    }

    public static void main(final String[] args) {
        System.exit(run(args));
    }
}
