package ccbt.bench;

import ccbt.bench.swarm.SwarmBench;
import ccbt.bench.swarm.SwarmOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ccbt-bench.jar}: {@code swarm ...} runs the end-to-end swarm benchmark, {@code jmh ...}
 * runs every JMH suite and rewrites its section of docs/benchmarks.md ({@link ccbt.bench.jmh.RunJmh}); anything
 * else is handed to JMH's own main.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("swarm")) {
            final List<String> rest = Arrays.asList(args).subList(1, args.length);
            try {
                final SwarmOptions options = SwarmOptions.parse(rest, projectRoot());
                SwarmBench.run(options, projectRoot(), System.out);
                System.out.println("bench swarm: results in " + options.out().toAbsolutePath()
                    + (options.docs() != null ? ", report in " + options.docs().resolve("benchmarks.md") : ""));
            } catch (final IllegalArgumentException e) {
                System.err.println("bench swarm: " + e.getMessage());
                System.exit(2);
            }
            return;
        }
        if (args.length > 0 && args[0].equals("jmh")) {
            ccbt.bench.jmh.RunJmh.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        org.openjdk.jmh.Main.main(args);
    }

    /** The ccbt source tree: {@code -Dccbt.project.root}, else the nearest directory up from here with bin/ccbt. */
    static Path projectRoot() {
        final String property = System.getProperty("ccbt.project.root");
        if (property != null) {
            return Path.of(property);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/ccbt")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return null;
    }
}
