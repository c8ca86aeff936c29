package ccbt.pipeline.ring;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * How the ring's stage threads wait: a short spin, then parking with a doubling pause, from
 * {@link #MIN_PARK_NANOS} up to {@link #MAX_PARK_NANOS}, started afresh on every wait.
 *
 * <p>Why not the Disruptor's own strategies: {@code BlockingWaitStrategy} blocks only while waiting for
 * the publisher and busy-spins while a stage waits for the stage before it, which is most of the time here
 * (hashing a piece takes milliseconds); on two cores those spinning threads took the CPU that hashing and
 * the network needed. {@code SleepingWaitStrategy} stops the spinning but wakes every stage thread every
 * 100 µs forever, a fifth of a core on an idle seedbox. Backing off costs a busy ring at most a fraction of
 * a millisecond per hand-off and an idle one about a hundred wake-ups a second per stage thread.
 */
final class BackoffWaitStrategy implements WaitStrategy {
    static final int SPINS = 50;
    static final long MIN_PARK_NANOS = 20_000;
    static final long MAX_PARK_NANOS = 10_000_000;

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
                        final SequenceBarrier barrier) throws AlertException {
        long available;
        int spins = 0;
        long park = MIN_PARK_NANOS;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(park);
                park = Math.min(MAX_PARK_NANOS, park << 1);
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        // Nobody blocks: waiting threads wake on their own within MAX_PARK_NANOS.
    }
}
