package ccbt.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Map;

/** Entry point of the {@code ccbt} command line. */
@Command(name = "ccbt", mixinStandardHelpOptions = true, version = "ccbt 0.1.0",
    description = "A high-throughput BitTorrent engine and seedbox server.")
public final class Main implements Runnable {
    /**
     * The subcommands, in the order of the usage text. picocli builds a command's model by reflection over its
     * annotations (its own classes are old class files that the JDK AOT cache cannot hold), so {@link #run} only
     * registers the subcommand that is asked for; the usage text, {@code --help} and errors get all of them.
     */
    static final List<Map.Entry<String, Class<?>>> SUBCOMMANDS = List.of(
        Map.entry("info", InfoCommand.class), Map.entry("create", CreateCommand.class),
        Map.entry("download", DownloadCommand.class), Map.entry("seed", SeedCommand.class),
        Map.entry("recheck", RecheckCommand.class), Map.entry("demo", DemoCommand.class),
        Map.entry("xet", XetCommand.class), Map.entry("aot-training", AotTrainingCommand.class));

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
        final String asked = args.length == 0 ? null : args[0];
        final boolean known = SUBCOMMANDS.stream().anyMatch(e -> e.getKey().equals(asked));
        for (final Map.Entry<String, Class<?>> e : SUBCOMMANDS) {
            if (!known || e.getKey().equals(asked)) {
                cli.addSubcommand(e.getKey(), e.getValue());
            }
        }
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
