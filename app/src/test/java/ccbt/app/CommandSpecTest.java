package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The command-line parser: value forms, repeats, required parts, errors and the usage text. */
class CommandSpecTest {
    /** A command with one of each kind of option; {@link #call} returns {@link #count}. */
    static final class Sample implements Callable<Integer> {
        String name;
        String output;
        int count = 7;
        boolean verbose;
        final List<String> peers = new ArrayList<>();

        @Override
        public Integer call() {
            return count;
        }
    }

    private static CommandSpec<Sample> sample() {
        return CommandSpec.command("sample", "Does sample things.", Sample::new)
            .positional("NAME", "What to call it", (c, v) -> c.name = v)
            .requiredOption("-o, --output", "DIR", "Where it goes", (c, v) -> c.output = v)
            .option("--count", "N", "How many", (c, v) -> c.count = Integer.parseInt(v))
            .flag("-v, --verbose", "Say more", c -> c.verbose = true)
            .repeatableOption("--peer", "HOST:PORT", "A peer", (c, v) -> c.peers.add(v));
    }

    @Test
    void valuesArriveSeparateOrAfterAnEqualsSignAndOptionsMixWithParameters() throws Exception {
        final Sample s = sample().parse("--count=3", "-o", "out", "thing", "--peer", "a:1", "--peer=b:2", "-v");
        assertThat(s.name).isEqualTo("thing");
        assertThat(s.output).isEqualTo("out");
        assertThat(s.count).isEqualTo(3);
        assertThat(s.verbose).isTrue();
        assertThat(s.peers).containsExactly("a:1", "b:2");
    }

    @Test
    void defaultsStayWhenAnOptionIsAbsentAndDoubleDashEndsOptions() throws Exception {
        final Sample s = sample().parse("--output", "o", "--", "--odd-name");
        assertThat(s.name).isEqualTo("--odd-name");
        assertThat(s.count).isEqualTo(7);
        assertThat(s.verbose).isFalse();
        assertThat(s.peers).isEmpty();
    }

    @Test
    void mistakesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> sample().parse("-o", "o")).hasMessage("missing NAME");
        assertThatThrownBy(() -> sample().parse("n")).hasMessage("missing required option '--output=DIR'");
        assertThatThrownBy(() -> sample().parse("n", "-o", "o", "--colour", "red"))
            .hasMessage("unknown option '--colour'");
        assertThatThrownBy(() -> sample().parse("n", "-o", "o", "--count", "x"))
            .hasMessage("invalid value 'x' for option '--count': not a whole number in range");
        assertThatThrownBy(() -> sample().parse("n", "-o", "o", "--count"))
            .hasMessage("option '--count' needs a value (N)");
        assertThatThrownBy(() -> sample().parse("n", "-o", "o", "-o", "p"))
            .hasMessage("option '--output' given more than once");
        assertThatThrownBy(() -> sample().parse("n", "-o", "o", "--verbose=yes"))
            .hasMessage("option '--verbose' takes no value");
        assertThatThrownBy(() -> sample().parse("n", "m", "-o", "o")).hasMessage("unexpected argument 'm'");
    }

    @Test
    void anOptionNameDeclaredTwiceIsAProgrammingError() {
        assertThatThrownBy(() -> sample().flag("--count", "again", c -> { }))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--count");
    }

    @Test
    void executeRunsTheCommandOrExplainsAndExitsTwo() {
        final CommandSpec<Callable<Integer>> root = CommandSpec.group("tool", "A tool.").version("tool 1")
            .subcommand(sample()).subcommand(CommandSpec.command("secret", "Hidden.", () -> () -> 0).hidden());
        assertThat(run(root, "sample", "n", "-o", "o", "--count", "4").code).isEqualTo(4);

        final Run bad = run(root, "sample", "n");
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err).startsWith("tool sample: missing required option '--output=DIR'")
            .contains("Usage: tool sample [OPTIONS] NAME");

        final Run help = run(root, "sample", "--help");
        assertThat(help.code).isZero();
        assertThat(help.out).contains("Usage: tool sample [OPTIONS] NAME", "Does sample things.",
            "  -o, --output=DIR", "Where it goes (required)", "--peer=HOST:PORT", "A peer (repeatable)",
            "  -v, --verbose");

        final Run top = run(root, "--help");
        assertThat(top.out).contains("Usage: tool [-hV] COMMAND", "sample", "Does sample things.")
            .doesNotContain("secret");
        assertThat(run(root, "secret").code).isZero();
        assertThat(run(root, "-V").out).isEqualTo("tool 1" + System.lineSeparator());

        final Run typo = run(root, "sam");
        assertThat(typo.code).isEqualTo(2);
        assertThat(typo.err).contains("unknown command 'sam'; did you mean sample?");
    }

    @Test
    void aFailingCommandPrintsItsMessageAndExitsOne() {
        final CommandSpec<Callable<Integer>> failing = CommandSpec.command("fail", "Fails.", () -> () -> {
            throw new IllegalStateException("disk on fire");
        });
        final Run r = run(CommandSpec.group("tool", "A tool.").subcommand(failing), "fail");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).isEqualTo("tool: disk on fire" + System.lineSeparator());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(final CommandSpec<?> spec, final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = spec.execute(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
