package ccbt.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ccbt aot-training} (hidden): the training run {@code bin/ccbt} records a JDK AOT cache from (JEP 483 and
 * 515: classes loaded and linked, lambda forms resolved and method profiles, all from one run). It goes through
 * what a ccbt process does at start and under load, in one JVM: generate a dataset, create its torrent, seed it
 * and download it over loopback ({@code demo}), then {@code create}, {@code info} and {@code recheck} of it.
 * Everything stays in a temporary directory on 127.0.0.1 and is removed afterwards.
 */
final class AotTrainingCommand implements Callable<Integer> {
    private static final String DEFAULT_SIZE = "64MiB";
    static final CommandSpec<AotTrainingCommand> SPEC = CommandSpec.command("aot-training",
            "Run the workload bin/ccbt records its JVM AOT cache from (loopback, temp directory).",
            AotTrainingCommand::new)
        .option("--size", "SIZE", "Dataset size. Default: " + DEFAULT_SIZE, (c, v) -> c.size = v)
        .hidden();

    String size = DEFAULT_SIZE;

    @Override
    public Integer call() throws Exception {
        final Path work = Files.createTempDirectory("ccbt-aot-training");
        try {
            final Path demo = work.resolve("demo");
            final Path torrent = work.resolve("training.torrent");
            final String content = demo.resolve("seed").toString();
            final String[][] steps = {
                {"demo", "--size", size, "--files", "2", "--piece-size", "256KiB", "--dir", demo.toString()},
                {"create", "--piece-size", "256KiB", "-o", torrent.toString(), content + "/ccbt-demo"},
                {"info", torrent.toString()},
                {"recheck", torrent.toString(), content},
            };
            for (final String[] step : steps) {
                final int code = Main.run(step);
                if (code != 0) {
                    System.err.println("ccbt aot-training: `ccbt " + String.join(" ", step) + "` exited " + code);
                    return code;
                }
            }
            return 0;
        } finally {
            DemoCommand.deleteTree(work);
        }
    }
}
