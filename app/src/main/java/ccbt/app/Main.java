package ccbt.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ccbt} command line. */
@Command(name = "ccbt", mixinStandardHelpOptions = true, version = "ccbt 0.1.0",
    description = "A high-throughput BitTorrent engine and seedbox server.",
    subcommands = {InfoCommand.class, CreateCommand.class, DownloadCommand.class, SeedCommand.class,
        RecheckCommand.class, DemoCommand.class, XetCommand.class, AotTrainingCommand.class})
public final class Main implements Runnable {
    static {
        // Netty registers its buffer-allocation JFR events when it loads, which starts JFR's type system and
        // the class-file API: about 140 classes and their compilation on every start, for events nobody records.
        // An operator who wants them passes -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(final String... args) {
        final CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("ccbt: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("ccbt.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    public static void main(final String[] args) {
        System.exit(run(args));
    }
}
