package ccbt.bench.swarm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the benchmark's results three ways: {@code OUT/results.json} for machines, a Markdown section for people
 * (in {@code OUT/swarm.md}, and regenerated between the swarm markers of {@code docs/benchmarks.md}), and the SVG
 * chart ({@code OUT/bench-swarm.svg}, and {@code docs/bench-swarm.svg}).
 */
final class Report {
    /** The markers of libtorrent's section (the first client compared, whose markers name no client). */
    static final String BEGIN = "<!-- swarm:begin -->";
    static final String END = "<!-- swarm:end -->";
    static final String CHART = "bench-swarm.svg";
    /** Share of the CPUs other programs may take during a run before the report calls the machine busy. */
    static final double BUSY_SHARE = 0.2;
    private static final String SUBJECT_COLOR = "#d62728";
    private static final String REFERENCE_COLOR = "#1f77b4";
    private static final String[] STAGE_METRICS = {"ccbt_stage_service_seconds", "ccbt_stage_queue_wait_seconds"};
    private static final String[] QUANTILES = {"0.5", "0.99", "0.999"};

    private final SwarmOptions options;
    private final MachineLimits limits;
    private final Payload payload;
    private final List<Trial> trials;
    private final Map<String, Object> machine;
    private final double seconds;
    private final String subjectName;
    private final String referenceName;

    Report(final SwarmOptions options, final MachineLimits limits, final Payload payload, final List<Trial> trials,
           final Map<String, Object> machine, final double seconds) {
        this.options = options;
        this.limits = limits;
        this.payload = payload;
        this.trials = trials;
        this.machine = machine;
        this.seconds = seconds;
        this.subjectName = options.subject();
        this.referenceName = options.against();
    }

    /** The marker that opens the section of the comparison against {@code client}. */
    static String begin(final String client) {
        return client.equals("libtorrent") ? BEGIN : "<!-- swarm-" + client + ":begin -->";
    }

    /** The marker that closes the section of the comparison against {@code client}. */
    static String end(final String client) {
        return client.equals("libtorrent") ? END : "<!-- swarm-" + client + ":end -->";
    }

    /** The chart of the comparison against {@code client}. */
    static String chart(final String client) {
        return client.equals("libtorrent") ? CHART : "bench-swarm-" + client + ".svg";
    }

    /** Writes every output; returns the JSON tree. */
    Map<String, Object> write() throws IOException {
        final Map<String, Object> json = json();
        Files.createDirectories(options.out());
        Files.writeString(options.out().resolve("results.json"), Json.write(json));
        final String svg = chart();
        Files.writeString(options.out().resolve(chart(referenceName)), svg);
        final String markdown = markdown();
        Files.writeString(options.out().resolve("swarm.md"), markdown);
        if (options.docs() != null) {
            Files.createDirectories(options.docs());
            Files.writeString(options.docs().resolve(chart(referenceName)), svg);
            final Path doc = options.docs().resolve("benchmarks.md");
            final String old = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n";
            Files.writeString(doc, replaceSection(old, markdown, referenceName));
        }
        return json;
    }

    /** {@code document} with the text between libtorrent's swarm markers replaced by {@code section} (appended if absent). */
    static String replaceSection(final String document, final String section) {
        return replaceSection(document, section, "libtorrent");
    }

    /**
     * {@code document} with the section of {@code client} (between its markers) replaced by {@code section}; the other
     * clients' sections stay. Absent, it goes after the last swarm section of any client, else at the end.
     */
    static String replaceSection(final String document, final String section, final String client) {
        final int begin = document.indexOf(begin(client));
        final int end = document.indexOf(end(client));
        if (begin >= 0 && end > begin) {
            return document.substring(0, begin) + section + document.substring(end + end(client).length());
        }
        int after = -1;
        for (final String c : SwarmOptions.CLIENTS) {
            final int e = document.indexOf(end(c));
            if (e >= 0 && document.indexOf(begin(c)) >= 0) {
                after = Math.max(after, e + end(c).length());
            }
        }
        if (after >= 0) {
            return document.substring(0, after) + "\n\n" + section + document.substring(after);
        }
        return document + (document.endsWith("\n") ? "\n" : "\n\n") + section + "\n";
    }

    // --- scenarios ---

    String title(final String scenario) {
        return switch (scenario) {
            case "download" -> "download: " + subjectName + " leecher ← " + referenceName + " seeder, vs "
                + referenceName + " leecher ← the same seeder";
            case "upload" -> "upload: " + referenceName + " leecher ← " + subjectName + " seeder, vs " + referenceName
                + " leecher ← " + referenceName + " seeder";
            case "swarm" -> "swarm: " + options.seeders() + " " + referenceName + " seeders → " + subjectName
                + " leecher, vs the same seeders → " + referenceName + " leecher";
            case "fanout" -> "fan-out: " + subjectName + " seeder → " + options.leechers() + " " + referenceName
                + " leechers, vs " + referenceName + " seeder → " + options.leechers() + " " + referenceName + " leechers";
            case "recheck" -> "recheck: " + subjectName + " vs " + referenceName + " hash-checking the complete content";
            default -> scenario;
        };
    }

    private String measuredRole(final String scenario) {
        return switch (scenario) {
            case "upload", "fanout" -> "seeder";
            case "recheck" -> "recheck";
            default -> "leecher";
        };
    }

    private Map.Entry<String, Double> limitOf(final String scenario) {
        return scenario.equals("recheck") ? limits.recheckLimit() : limits.transferLimit();
    }

    private List<Trial> of(final String scenario, final String side, final boolean okOnly) {
        return trials.stream().filter(t -> t.scenario().equals(scenario) && t.side().equals(side) && (!okOnly || t.ok()))
            .toList();
    }

    /** Median throughput ratio subject / reference of a scenario (NaN without results on both sides). */
    double ratio(final String scenario) {
        return Stats.of(of(scenario, "subject", true), Trial::mibPerSecond).median()
            / Stats.of(of(scenario, "reference", true), Trial::mibPerSecond).median();
    }

    // --- JSON ---

    private Map<String, Object> json() {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        root.put("duration_s", seconds);
        final Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("size_bytes", options.size());
        opts.put("files", options.files());
        opts.put("piece_size", options.pieceSize());
        opts.put("seeders", options.seeders());
        opts.put("leechers", options.leechers());
        opts.put("subject", subjectName);
        opts.put("against", referenceName);
        opts.put("reps", options.reps());
        opts.put("scenarios", options.scenarios());
        opts.put("quick", options.quick());
        opts.put("note", options.note());
        root.put("options", opts);
        root.put("machine", machine);
        root.put("limits", limits.toMap());
        root.put("payload", Map.of("torrent", payload.torrent().getFileName().toString(), "bytes", payload.totalBytes(),
            "files", payload.files().stream().map(f -> Map.of("path", f.relativePath(), "length", f.length(),
                "sha256", f.sha256())).toList()));
        final List<Object> scenarios = new ArrayList<>();
        for (final String s : options.scenarios()) {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s);
            m.put("title", title(s));
            m.put("measured_role", measuredRole(s));
            m.put("binding_limit", limitOf(s).getKey());
            m.put("binding_limit_bytes_per_s", limitOf(s).getValue());
            for (final String side : List.of("subject", "reference")) {
                final List<Trial> ok = of(s, side, true);
                final Map<String, Object> sum = new LinkedHashMap<>();
                sum.put("client", side.equals("subject") ? subjectName : referenceName);
                sum.put("runs", of(s, side, false).size());
                sum.put("ok", ok.size());
                sum.put("wall_s", stats(Stats.of(ok, Trial::wallSeconds)));
                sum.put("mib_per_s", stats(Stats.of(ok, Trial::mibPerSecond)));
                sum.put("mib_per_s_after_first_byte", stats(Stats.of(ok, Trial::mibPerSecondAfterFirstByte)));
                sum.put("cpu_s_per_gib", stats(Stats.of(ok, Trial::cpuPerGiB)));
                sum.put("peak_rss_mib", stats(Stats.of(ok, t -> t.peakRssBytes() / Trial.MIB)));
                sum.put("fraction_of_limit", Stats.of(ok, Trial::mibPerSecond).median() * Trial.MIB / limitOf(s).getValue());
                m.put(side, sum);
            }
            m.put("ratio_throughput", ratio(s));
            m.put("ratio_cpu_per_gib", Stats.of(of(s, "subject", true), Trial::cpuPerGiB).median()
                / Stats.of(of(s, "reference", true), Trial::cpuPerGiB).median());
            m.put("stage_telemetry", telemetry(s));
            m.put("trials", of(s, "subject", false).stream().map(Trial::toMap).toList());
            m.put("reference_trials", of(s, "reference", false).stream().map(Trial::toMap).toList());
            scenarios.add(m);
        }
        root.put("scenarios", scenarios);
        return root;
    }

    private static Map<String, Object> stats(final Stats s) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", s.min());
        m.put("median", s.median());
        m.put("max", s.max());
        return m;
    }

    /**
     * Stage quantiles from the last successful subject run that served metrics: stage → metric → quantile → seconds,
     * plus the ring fill sampled during that run.
     */
    Map<String, Object> telemetry(final String scenario) {
        final List<Trial> withMetrics = of(scenario, "subject", true).stream().filter(t -> t.metrics() != null).toList();
        if (withMetrics.isEmpty()) {
            return Map.of();
        }
        final Trial last = withMetrics.getLast();
        final Map<String, Map<String, Map<String, Double>>> stages = new TreeMap<>();
        final List<Prometheus.Sample> samples;
        try {
            samples = Prometheus.parse(last.metrics());
        } catch (final IllegalArgumentException e) {
            return Map.of("error", e.getMessage());
        }
        for (final Prometheus.Sample s : samples) {
            for (final String metric : STAGE_METRICS) {
                if (s.name().equals(metric) && s.label("stage") != null && s.label("quantile") != null) {
                    stages.computeIfAbsent(s.label("stage"), k -> new TreeMap<>())
                        .computeIfAbsent(metric, k -> new TreeMap<>()).put(s.label("quantile"), s.value());
                }
            }
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("rep", last.rep());
        m.put("stages", stages);
        final Stats fill = Stats.of(last.ringFill().stream().mapToDouble(Double::doubleValue).toArray());
        m.put("ring_fill", Map.of("samples", fill.count(), "max", fill.max(),
            "mean", last.ringFill().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
        return m;
    }

    // --- Markdown ---

    private String markdown() {
        final StringBuilder md = new StringBuilder();
        md.append(begin(referenceName)).append('\n');
        md.append("## Swarm benchmark against ").append(referenceName).append("\n\n");
        final boolean realVsReal = !subjectName.equals("ccbt");
        md.append(String.format(Locale.ROOT, "Generated by `bin/ccbt bench swarm --size %s --files %d --piece-size %s "
                + "--seeders %d --leechers %d --against %s --reps %d%s`%s on %s in %.0f s; this section is rewritten by "
                + "the command (between its markers). Payload: %s in %d file(s), piece size %s, generated from a "
                + "fixed seed; every download is verified by SHA-256 afterwards (a failed verification fails the run).%n%n",
            size(options.size()), options.files(), size(options.pieceSize()), options.seeders(), options.leechers(),
            referenceName, options.reps(), (realVsReal ? " --subject " + subjectName : "")
                + (options.scenarios().equals(SwarmOptions.ALL_SCENARIOS) ? ""
                    : " --scenarios " + String.join(",", options.scenarios()))
                + (options.note() != null ? " --note \"" + options.note() + "\"" : ""),
            realVsReal ? " (**real vs real**: " + subjectName + " stands in for ccbt, which checks the harness and shows "
                + "the run-to-run noise of two identical clients; it says nothing about ccbt)" : "",
            Instant.now().truncatedTo(ChronoUnit.MINUTES), seconds, size(payload.totalBytes()), payload.files().size(),
            size(payload.pieceSize())));
        if (options.note() != null) {
            md.append("Note on this run: ").append(options.note()).append("\n\n");
        }
        md.append("**Who is faster** (median throughput, ").append(subjectName).append(" / ").append(referenceName)
            .append("):");
        for (final String s : options.scenarios()) {
            md.append(String.format(Locale.ROOT, " %s %s;", s, ratioText(ratio(s))));
        }
        md.setLength(md.length() - 1);
        md.append(".\n\n");
        final Object notes = machine.get("notes");
        if (notes instanceof List<?> list && !list.isEmpty()) {
            md.append("How ").append(referenceName).append(" was driven:\n\n");
            for (final Object n : list) {
                md.append("- ").append(n).append('\n');
            }
            md.append('\n');
        }
        md.append("### Machine\n\n| cores | CPU | memory | JDK | OS | ").append(referenceName)
            .append(" | load average at start / end (1, 5, 15 min) | transport |\n|---|---|---|---|---|---|---|---|\n");
        md.append(String.format("| %s | %s | %s GiB | %s | %s | %s | %s / %s | %s |%n%n", machine.get("cores"),
            machine.get("cpu"), machine.get("memory_gib"), machine.get("jdk"), machine.get("os"),
            machine.getOrDefault(referenceName, "–"), machine.getOrDefault("load_average_start", "–"),
            machine.getOrDefault("load_average_end", "–"), machine.get("transport")));
        final Object others = machine.get("other_cpu_share");
        if (others instanceof Double share) {
            md.append(String.format("Programs other than the harness and the clients it started used %.0f %% of the "
                + "CPUs' time during the run (the load average at the end counts the run's own processes).%n%n",
                share * 100));
        }
        if (loaded()) {
            md.append("**The machine was shared and busy** (")
                .append(others instanceof Double ? "other programs used more than " + Math.round(BUSY_SHARE * 100)
                    + " % of the CPUs during the run" : "a 1-minute load average above its " + machine.get("cores")
                    + " cores when the run started")
                .append("): both clients ran under the same contention, alternating, but absolute figures are lower ")
                .append("and noisier than on an idle machine.\n\n");
        }
        md.append("### Limits measured in this run\n\n| limit | MiB/s | how |\n|---|---:|---|\n");
        row(md, "SHA-1, one core", limits.sha1PerCore(), "over a 64 MiB direct buffer, best pass of the fastest of the JDK's "
            + "`MessageDigest`, ccbt's SHA-1 of one message and of two at once (the buffer's halves): " + limits.sha1Source());
        row(md, "SHA-1 × " + limits.cores() + " cores", limits.sha1AllCores(), "the hash-verify ceiling");
        row(md, "loopback TCP", limits.loopbackTcp(), "this JVM → a Python sink process over 127.0.0.1, 1 MiB writes");
        row(md, "disk write", limits.diskWrite(), size(limits.diskBytes()) + " sequential in the work directory, until the writes returned");
        row(md, "disk write + fsync", limits.diskWriteFsync(), "the same, the final fsync included (what the device sustains)");
        row(md, "disk read, cold", limits.diskReadCold(), "the same file after `posix_fadvise(DONTNEED)` dropped its pages");
        row(md, "disk read, page cache", limits.diskReadCached(), "the same file again, from the page cache");
        md.append("\nA transfer is bound by the least of loopback TCP, SHA-1 × cores and disk write (clients report "
            + "completion once their writes returned, not after an fsync; a payload above the kernel's dirty-page limit, "
            + "such as the fan-out's, slows towards the fsync figure); a recheck of content the page cache holds (as "
            + "here: it was just written) by the least of SHA-1 × cores and the cached read. The limits are measured "
            + "on the same, possibly shared, machine just before the scenarios.\n\n");
        for (final String s : options.scenarios()) {
            scenarioTable(md, s);
        }
        md.append("CPU s/GiB is user + system CPU of the measured process (the ")
            .append("leecher for download and swarm, the seeder for upload and fan-out, the checker for recheck) per GiB ")
            .append("moved, read from `/proc/<pid>/stat` while it runs and from its rusage (`/usr/bin/time`) when it ")
            .append("exits; seeders are counted from the moment the leechers start. Peak RSS is `VmHWM` / max RSS of that ")
            .append("process. Wall time runs from starting the leecher processes (start-up included) until every one ")
            .append("reported the torrent complete; \"MiB/s after it\" leaves out the start-up before the first payload ")
            .append("byte (JVM or Python start, session set-up, connecting). The end is the moment the client reported ")
            .append("completion, as read from its output or status, not the sampler's 250 ms tick.")
            .append(referenceName.equals("libtorrent") || subjectName.equals("libtorrent")
                ? " libtorrent 2.x maps files into memory, so its RSS includes file pages it touched." : "")
            .append("\n\n");
        md.append("![").append(subjectName).append(" vs ").append(referenceName)
            .append(": throughput over time per scenario, and the ratio bars](").append(chart(referenceName)).append(")\n");
        md.append(end(referenceName));
        return md.toString();
    }

    /**
     * Whether other programs took more than {@link #BUSY_SHARE} of the CPUs during the run. Where that share could not
     * be read: whether the 1-minute load average exceeded the core count when the run started (it decays over
     * minutes, so a run just before counts too; the end's counts the run's own processes).
     */
    private boolean loaded() {
        if (machine.get("other_cpu_share") instanceof Double share) {
            return share > BUSY_SHARE;
        }
        if (machine.get("load_average_start") instanceof String text && machine.get("cores") instanceof Integer n) {
            try {
                return Double.parseDouble(text.split(" ")[0]) > n;
            } catch (final NumberFormatException e) {
                // "unknown": no claim either way
            }
        }
        return false;
    }

    private void scenarioTable(final StringBuilder md, final String s) {
        final Map.Entry<String, Double> limit = limitOf(s);
        md.append("### ").append(title(s)).append("\n\n");
        md.append("| client | runs ok | wall s (min / med / max) | MiB/s (min / med / max) | CPU s/GiB (med) "
            + "| peak RSS MiB (med) | first byte s (med) | MiB/s after it (med) | of limit (med) |\n"
            + "|---|---|---|---|---:|---:|---:|---:|---:|\n");
        for (final String side : List.of("subject", "reference")) {
            final List<Trial> ok = of(s, side, true);
            final Stats wall = Stats.of(ok, Trial::wallSeconds);
            final Stats rate = Stats.of(ok, Trial::mibPerSecond);
            md.append(String.format(Locale.ROOT, "| %s | %d/%d | %s / %s / %s | %s / %s / %s | %s | %s | %s | %s | %s |%n",
                side.equals("subject") ? subjectName : referenceName + " (reference)", ok.size(), of(s, side, false).size(),
                num(wall.min(), 2), num(wall.median(), 2), num(wall.max(), 2), num(rate.min(), 1), num(rate.median(), 1),
                num(rate.max(), 1), num(Stats.of(ok, Trial::cpuPerGiB).median(), 2),
                num(Stats.of(ok, t -> t.peakRssBytes() / Trial.MIB).median(), 0),
                num(Stats.of(ok, Trial::firstByteSeconds).median(), 2),
                num(Stats.of(ok, Trial::mibPerSecondAfterFirstByte).median(), 1),
                percent(rate.median() * Trial.MIB / limit.getValue())));
        }
        final double cpuRatio = Stats.of(of(s, "subject", true), Trial::cpuPerGiB).median()
            / Stats.of(of(s, "reference", true), Trial::cpuPerGiB).median();
        final double afterFirstByte = Stats.of(of(s, "subject", true), Trial::mibPerSecondAfterFirstByte).median()
            / Stats.of(of(s, "reference", true), Trial::mibPerSecondAfterFirstByte).median();
        md.append(String.format(Locale.ROOT, "%nRatio %s / %s: throughput %s (%s after the first byte), CPU per GiB %s. "
                + "Binding limit: %s, %s MiB/s.%n", subjectName, referenceName, ratioText(ratio(s)),
            ratioText(afterFirstByte), ratioText(cpuRatio), limit.getKey(), num(limit.getValue() / Trial.MIB, 0)));
        for (final Trial t : trials) {
            if (t.scenario().equals(s) && !t.ok()) {
                md.append(String.format("- failed: rep %d, %s (%s): %s%n", t.rep(), t.side(), t.client(), t.error()));
            }
        }
        telemetryTable(md, s);
        md.append('\n');
    }

    @SuppressWarnings("unchecked")
    private void telemetryTable(final StringBuilder md, final String s) {
        final Map<String, Object> tel = telemetry(s);
        if (tel.isEmpty()) {
            return;
        }
        final Map<String, Map<String, Map<String, Double>>> stages =
            (Map<String, Map<String, Map<String, Double>>>) tel.getOrDefault("stages", Map.of());
        md.append(String.format("%nStage telemetry of %s in rep %s (HdrHistogram quantiles from its `--metrics` endpoint, µs):%n%n",
            subjectName, tel.get("rep")));
        final boolean anySample = stages.values().stream().flatMap(m -> m.values().stream())
            .flatMap(q -> q.values().stream()).anyMatch(Double::isFinite);
        if (!anySample) {
            md.append("(no stage samples in this run: the endpoint served no finite `ccbt_stage_*` quantiles; a "
                + "seeder's pieces do not pass the download stages)\n");
        } else {
            md.append("| stage | service p50 | p99 | p99.9 | queue wait p50 | p99 | p99.9 |\n|---|---:|---:|---:|---:|---:|---:|\n");
            for (final Map.Entry<String, Map<String, Map<String, Double>>> e : stages.entrySet()) {
                md.append("| ").append(e.getKey());
                for (final String metric : STAGE_METRICS) {
                    final Map<String, Double> q = e.getValue().getOrDefault(metric, Map.of());
                    for (final String quantile : QUANTILES) {
                        md.append(" | ").append(num(q.getOrDefault(quantile, Double.NaN) * 1e6, 1));
                    }
                }
                md.append(" |\n");
            }
        }
        final Map<String, Object> fill = (Map<String, Object>) tel.get("ring_fill");
        md.append(String.format(Locale.ROOT, "%nRing fill (`ccbt_ring_fill`, sampled every 250 ms): mean %s, max %s over %s samples.%n",
            num((Double) fill.get("mean"), 1), num((Double) fill.get("max"), 0), fill.get("samples")));
    }

    private static void row(final StringBuilder md, final String what, final double bytesPerSecond, final String how) {
        md.append("| ").append(what).append(" | ").append(num(bytesPerSecond / Trial.MIB, 0)).append(" | ").append(how)
            .append(" |\n");
    }

    static String num(final double v, final int digits) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "–";
    }

    private static String percent(final double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.0f %%", fraction * 100) : "–";
    }

    private static String ratioText(final double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f×", r) : "–";
    }

    static String size(final long bytes) {
        if (bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + "GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + "MiB";
        }
        if (bytes % (1L << 10) == 0) {
            return bytes / (1L << 10) + "KiB";
        }
        return Long.toString(bytes);
    }

    // --- chart ---

    private String chart() {
        final List<String> scenarios = options.scenarios();
        final int columns = 2;
        final int panelW = 480;
        final int panelH = 250;
        final int rows = (scenarios.size() + 1 + columns - 1) / columns; // + 1 panel for the ratio bars
        final Svg svg = new Svg(columns * panelW, rows * panelH + 30);
        svg.text(columns * panelW / 2.0, 18, "Swarm benchmark: " + subjectName + " (red) vs " + referenceName
            + " (blue), " + size(payload.totalBytes()) + ", median run of each side", "middle", 13, "bold");
        for (int i = 0; i < scenarios.size(); i++) {
            final String s = scenarios.get(i);
            final List<Svg.Line> lines = new ArrayList<>();
            for (final String side : List.of("subject", "reference")) {
                medianTrial(of(s, side, true)).ifPresent(t -> lines.add(new Svg.Line(
                    (side.equals("subject") ? subjectName : referenceName) + " " + measuredRole(s)
                        + String.format(Locale.ROOT, " (%.0f MiB/s)", t.mibPerSecond()),
                    side.equals("subject") ? SUBJECT_COLOR : REFERENCE_COLOR, rateOrAverage(t))));
            }
            svg.lineChart((i % columns) * panelW, 30 + (i / columns) * panelH, panelW, panelH, s,
                s.equals("recheck") ? "seconds since the check started" : "seconds since the leechers started",
                "MiB/s", lines);
        }
        final int i = scenarios.size();
        final List<Svg.Bar> bars = new ArrayList<>();
        for (final String s : scenarios) {
            final double r = ratio(s);
            bars.add(new Svg.Bar(s, r, Double.isFinite(r) && r >= 1 ? SUBJECT_COLOR : REFERENCE_COLOR));
        }
        svg.barChart((i % columns) * panelW, 30 + (i / columns) * panelH, panelW, panelH,
            "throughput ratio " + subjectName + " / " + referenceName + " (median)", bars, 1.0, "1× = equal");
        return svg.document();
    }

    private static java.util.Optional<Trial> medianTrial(final List<Trial> ok) {
        if (ok.isEmpty()) {
            return java.util.Optional.empty();
        }
        final List<Trial> sorted = ok.stream().sorted(Comparator.comparingDouble(Trial::wallSeconds)).toList();
        return java.util.Optional.of(sorted.get(sorted.size() / 2));
    }

    /**
     * The trial's rate over time, or, for a client that reports no progress while it runs (ccbt's recheck), a flat
     * line at its average: a rate from the single final sample would draw one meaningless spike.
     */
    static List<double[]> rateOrAverage(final Trial t) {
        final List<double[]> series = t.series();
        final boolean progressReported = series.size() > 2 && series.get(series.size() - 2)[1] > 0;
        if (progressReported || !Double.isFinite(t.wallSeconds())) {
            return rate(series);
        }
        final double average = t.mibPerSecond();
        return List.of(new double[] {0, average}, new double[] {t.wallSeconds(), average});
    }

    /** MiB/s over time from cumulative {seconds, bytes} samples, over a window of about half a second. */
    static List<double[]> rate(final List<double[]> series) {
        final List<double[]> out = new ArrayList<>();
        if (series.isEmpty()) {
            return out;
        }
        out.add(new double[] {0, 0});
        int from = 0;
        for (int i = 1; i < series.size(); i++) {
            while (from < i - 1 && series.get(i)[0] - series.get(from + 1)[0] >= 0.5) {
                from++;
            }
            final double dt = series.get(i)[0] - series.get(from)[0];
            if (dt > 0) {
                out.add(new double[] {series.get(i)[0], (series.get(i)[1] - series.get(from)[1]) / Trial.MIB / dt});
            }
        }
        return out;
    }
}
