package ccbt.app;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One {@code ccbt} command's name, options and positional parameters, each with the code that stores its value in
 * the command object, and the parser and usage text built from them.
 *
 * <p>The command line is parsed here rather than by a library because parsing happens in every process's start-up:
 * the annotation-driven library used before took 0.17 s of wall and 0.3 s of CPU of every start (its classes are
 * compiled for Java 5, which the JDK AOT cache cannot hold; docs/decisions.md). Options take their
 * value as {@code --name value} or {@code --name=value}; {@code --} ends the options; every positional parameter
 * is required; an option given twice is an error unless it is repeatable.
 *
 * @param <C> the command object a parse fills in
 */
final class CommandSpec<C extends Callable<Integer>> {
    /** Stores one value in a command; a bad value throws {@link IllegalArgumentException} with the reason. */
    @FunctionalInterface
    interface Setter<C> {
        void set(C command, String value);
    }

    /** A command line the spec does not accept; the message says why, for the user. */
    static final class UsageException extends Exception {
        UsageException(final String message) {
            super(message);
        }
    }

    private record Option<C>(List<String> names, String label, String description, boolean required,
                             boolean repeatable, Setter<C> setter) {
        boolean takesValue() {
            return label != null;
        }

        String longestName() {
            return names.get(names.size() - 1);
        }
    }

    private record Positional<C>(String label, String description, Setter<C> setter) {
    }

    private static final List<String> HELP = List.of("-h", "--help");
    private static final int USAGE_WIDTH = 110;
    private static final List<String> VERSION = List.of("-V", "--version");

    private final String name;
    private final String description;
    private final Supplier<C> factory;
    private final List<Option<C>> options = new ArrayList<>();
    private final List<Positional<C>> positionals = new ArrayList<>();
    private final List<CommandSpec<?>> subcommands = new ArrayList<>();
    private String version;
    private boolean hidden;
    private CommandSpec<?> parent;

    private CommandSpec(final String name, final String description, final Supplier<C> factory) {
        this.name = name;
        this.description = description;
        this.factory = factory;
    }

    /** A command that runs: {@code factory} makes the object a parse fills in and then calls. */
    static <C extends Callable<Integer>> CommandSpec<C> command(final String name, final String description,
                                                                final Supplier<C> factory) {
        return new CommandSpec<>(name, description, factory);
    }

    /** A command that only holds subcommands (see {@link #subcommand}); run alone, it prints its usage. */
    static CommandSpec<Callable<Integer>> group(final String name, final String description) {
        return new CommandSpec<>(name, description, null);
    }

    /** An option with a value, {@code names} as {@code "-o, --output"}, {@code label} naming the value in the usage. */
    CommandSpec<C> option(final String names, final String label, final String description, final Setter<C> setter) {
        return add(new Option<>(names(names), label, description, false, false, setter));
    }

    /** An option the command cannot run without. */
    CommandSpec<C> requiredOption(final String names, final String label, final String description,
                                  final Setter<C> setter) {
        return add(new Option<>(names(names), label, description, true, false, setter));
    }

    /** An option that may be given several times; {@code setter} sees each value in order. */
    CommandSpec<C> repeatableOption(final String names, final String label, final String description,
                                    final Setter<C> setter) {
        return add(new Option<>(names(names), label, description, false, true, setter));
    }

    /** An option without a value. */
    CommandSpec<C> flag(final String names, final String description, final Consumer<C> setter) {
        return add(new Option<>(names(names), null, description, false, false, (c, v) -> setter.accept(c)));
    }

    /** The next positional parameter (all are required, in the order they are declared). */
    CommandSpec<C> positional(final String label, final String description, final Setter<C> setter) {
        positionals.add(new Positional<>(label, description, setter));
        return this;
    }

    CommandSpec<C> subcommand(final CommandSpec<?> sub) {
        sub.parent = this;
        subcommands.add(sub);
        return this;
    }

    /** Answered by {@code -V} and {@code --version} (a group's own options). */
    CommandSpec<C> version(final String text) {
        this.version = text;
        return this;
    }

    /** Left out of the parent's usage text; still runs when named. */
    CommandSpec<C> hidden() {
        this.hidden = true;
        return this;
    }

    /** Parses {@code args} (what follows the command's name) into a new command object. */
    C parse(final String... args) throws UsageException {
        if (factory == null) {
            throw new IllegalStateException(name + " is a group of commands, not one that runs");
        }
        final C command = factory.get();
        // by identity: a record's own hashCode is bootstrapped at its first call, about a millisecond of start-up
        final Set<Option<C>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int positional = 0;
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            final String arg = args[i];
            if (!optionsEnded && arg.equals("--")) {
                optionsEnded = true;
            } else if (!optionsEnded && arg.startsWith("-") && arg.length() > 1) {
                final int eq = arg.indexOf('=');
                final String optionName = eq < 0 ? arg : arg.substring(0, eq);
                final Option<C> option = find(optionName);
                if (option == null) {
                    throw new UsageException("unknown option '" + optionName + "'");
                }
                if (!seen.add(option) && !option.repeatable()) {
                    throw new UsageException("option '" + option.longestName() + "' given more than once");
                }
                final String value;
                if (!option.takesValue()) {
                    if (eq >= 0) {
                        throw new UsageException("option '" + optionName + "' takes no value");
                    }
                    value = null;
                } else if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException("option '" + optionName + "' needs a value (" + option.label() + ")");
                }
                set(command, option.setter(), value, "option '" + option.longestName() + "'");
            } else if (positional < positionals.size()) {
                final Positional<C> p = positionals.get(positional++);
                set(command, p.setter(), arg, p.label());
            } else {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
        }
        if (positional < positionals.size()) {
            final List<String> missing = positionals.subList(positional, positionals.size()).stream()
                .map(Positional::label).toList();
            throw new UsageException("missing " + String.join(" and ", missing));
        }
        for (final Option<C> option : options) {
            if (option.required() && !seen.contains(option)) {
                throw new UsageException("missing required option '" + option.longestName() + "=" + option.label() + "'");
            }
        }
        return command;
    }

    /**
     * Runs a command line (what follows this command's name): picks the subcommand, parses, calls. Exit codes: the
     * command's own, 0 after help or version, 1 when the command failed, 2 for a command line it does not accept.
     */
    int execute(final List<String> args, final PrintStream out, final PrintStream err) {
        if (!subcommands.isEmpty()) {
            if (args.isEmpty()) {
                usage(err);
                return 0;
            }
            final String first = args.get(0);
            if (HELP.contains(first)) {
                usage(out);
                return 0;
            }
            if (version != null && VERSION.contains(first)) {
                out.println(version);
                return 0;
            }
            for (final CommandSpec<?> sub : subcommands) {
                if (sub.name.equals(first)) {
                    return sub.execute(args.subList(1, args.size()), out, err);
                }
            }
            final List<String> close = subcommands.stream().filter(s -> !s.hidden)
                .map(s -> s.name).filter(n -> n.startsWith(first) || first.startsWith(n)).toList();
            err.println(path() + ": unknown command '" + first + "'"
                + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?"));
            usage(err);
            return 2;
        }
        final int end = args.indexOf("--");
        if ((end < 0 ? args : args.subList(0, end)).stream().anyMatch(HELP::contains)) {
            usage(out);
            return 0;
        }
        final C command;
        try {
            command = parse(args.toArray(String[]::new));
        } catch (final UsageException e) {
            err.println(path() + ": " + e.getMessage());
            usage(err);
            return 2;
        }
        try {
            return command.call();
        } catch (final Exception e) {
            err.println(root().name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("ccbt.debug")) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** The usage text: synopsis, description, parameters and options, subcommands. */
    void usage(final PrintStream to) {
        final StringBuilder synopsis = new StringBuilder("Usage: ").append(path());
        if (!subcommands.isEmpty()) {
            synopsis.append(" [-h").append(version == null ? "" : "V").append("] COMMAND");
        } else {
            if (!options.isEmpty()) {
                synopsis.append(" [OPTIONS]");
            }
            for (final Positional<C> p : positionals) {
                synopsis.append(' ').append(p.label());
            }
        }
        final List<String[]> rows = new ArrayList<>();
        for (final Positional<C> p : positionals) {
            rows.add(new String[] {"      " + p.label(), p.description()});
        }
        for (final Option<C> o : options) {
            final String shortName = o.names().size() > 1 ? o.names().get(0) + ", " : "    ";
            final String description = o.required() ? o.description() + " (required)"
                : o.repeatable() ? o.description() + " (repeatable)" : o.description();
            rows.add(new String[] {"  " + shortName + o.longestName() + (o.takesValue() ? "=" + o.label() : ""),
                description});
        }
        rows.add(new String[] {"  -h, --help", "Show this help and exit."});
        if (version != null) {
            rows.add(new String[] {"  -V, --version", "Print the version and exit."});
        }
        final int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 3;
        to.println(synopsis);
        to.println(description);
        for (final String[] row : rows) {
            printRow(to, row[0], width, row[1]);
        }
        final List<CommandSpec<?>> shown = subcommands.stream().filter(s -> !s.hidden).toList();
        if (!shown.isEmpty()) {
            to.println("Commands:");
            final int nameWidth = shown.stream().mapToInt(s -> s.name.length()).max().orElse(0) + 5;
            for (final CommandSpec<?> s : shown) {
                printRow(to, "  " + s.name, nameWidth, s.description);
            }
        }
    }

    /** {@code left} padded to {@code width}, then {@code text} wrapped at {@link #USAGE_WIDTH} columns. */
    private static void printRow(final PrintStream to, final String left, final int width, final String text) {
        if (text.isEmpty()) {
            to.println(left);
            return;
        }
        final StringBuilder line = new StringBuilder(left);
        final int room = Math.max(20, USAGE_WIDTH - width);
        int column = 0;
        for (final String word : text.split(" ")) {
            if (column > 0 && column + 1 + word.length() > room) {
                to.println(line);
                line.setLength(0);
                column = 0;
            }
            if (column == 0) {
                line.append(" ".repeat(Math.max(0, width - line.length())));
            } else {
                line.append(' ');
                column++;
            }
            line.append(word);
            column += word.length();
        }
        to.println(line);
    }

    private CommandSpec<?> root() {
        return parent == null ? this : parent.root();
    }

    private String path() {
        return parent == null ? name : parent.path() + " " + name;
    }

    private Option<C> find(final String optionName) {
        for (final Option<C> o : options) {
            if (o.names().contains(optionName)) {
                return o;
            }
        }
        return null;
    }

    private CommandSpec<C> add(final Option<C> option) {
        for (final String n : option.names()) {
            if (find(n) != null || HELP.contains(n)) {
                throw new IllegalArgumentException(name + ": option " + n + " declared twice");
            }
        }
        options.add(option);
        return this;
    }

    private static List<String> names(final String names) {
        return List.of(names.split(",\\s*"));
    }

    private static <C> void set(final C command, final Setter<C> setter, final String value, final String what)
            throws UsageException {
        try {
            setter.set(command, value);
        } catch (final IllegalArgumentException e) {
            throw new UsageException("invalid value '" + value + "' for " + what
                + (e instanceof NumberFormatException ? ": not a whole number in range"
                    : e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}
