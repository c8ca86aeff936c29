package ccbt.bench.swarm;

/**
 * What one process cost.
 *
 * @param cpuSeconds   user + system CPU seconds
 * @param peakRssBytes peak resident set size
 * @param exited       whether the figures come from the process's exit (rusage) rather than a live sample
 */
public record ProcessUsage(double cpuSeconds, long peakRssBytes, boolean exited) {
}
