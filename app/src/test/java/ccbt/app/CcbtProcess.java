package ccbt.app;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@code ccbt} command run in its own JVM (same classpath and flags as the tests), for kill and signal tests. */
final class CcbtProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private CcbtProcess(final Process process, final Path log) {
        this.process = process;
        this.log = log;
    }

    static CcbtProcess start(final Path log, final String... args) throws Exception {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native") || a.startsWith("--sun-misc")
                || a.startsWith("-Dchronicle") || a.startsWith("-Xmx"))
            .toList());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new CcbtProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start(), log);
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (final Exception e) {
            return "(no log: " + e + ")";
        }
    }

    /** The last lines of the process's output, for assertion messages. */
    String tail() {
        final List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
