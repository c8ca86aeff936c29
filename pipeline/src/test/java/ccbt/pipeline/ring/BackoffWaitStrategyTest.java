package ccbt.pipeline.ring;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffWaitStrategyTest {
    /** A safety-net time-out far longer than the test may take: only a wake-up can end the waits. */
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    @Test
    @Timeout(30)
    void aStageThatAdvancedWakesTheThreadWaitingForIt() throws Exception {
        final BackoffWaitStrategy waits = new BackoffWaitStrategy(HOUR);
        final Sequence cursor = new Sequence(5);
        final Sequence stage = new Sequence(-1);
        final CompletableFuture<Long> waited = waitInThread(waits, 0, cursor, stage);
        stage.setVolatile(0);
        waits.stageAdvanced(1);
        assertThat(waited.get(20, TimeUnit.SECONDS)).isEqualTo(0);
    }

    @Test
    @Timeout(30)
    void aPublishWakesTheThreadsWaitingForThePublisher() throws Exception {
        final BackoffWaitStrategy waits = new BackoffWaitStrategy(HOUR);
        final Sequence cursor = new Sequence(-1);
        final CompletableFuture<Long> first = waitInThread(waits, 0, cursor, cursor);
        final CompletableFuture<Long> second = waitInThread(waits, 0, cursor, cursor);
        cursor.setVolatile(3);
        waits.signalAllWhenBlocking();
        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(second.get(20, TimeUnit.SECONDS)).isEqualTo(3);
    }

    /** The hash-verify stage's wait for a partner: a publish ends it at once, else the deadline does. */
    @Test
    @Timeout(30)
    void awaitPublishedEndsOnAPublishOrAtItsDeadline() throws Exception {
        final BackoffWaitStrategy waits = new BackoffWaitStrategy(HOUR);
        final java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        final long hourFromNow = System.nanoTime() + HOUR;
        final CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(
            () -> waits.awaitPublished(ready::get, hourFromNow));
        Thread.sleep(200);
        assertThat(woken).as("parked until there is something to see").isNotDone();
        ready.set(true);
        waits.signalAllWhenBlocking();
        assertThat(woken.get(20, TimeUnit.SECONDS)).isTrue();

        final long start = System.nanoTime();
        assertThat(waits.awaitPublished(() -> false, start + TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    @Timeout(30)
    void aStageThatAdvancedLeavesThreadsWaitingForThePublisherParked() throws Exception {
        final BackoffWaitStrategy waits = new BackoffWaitStrategy(HOUR);
        final Sequence cursor = new Sequence(-1);
        final CompletableFuture<Long> waited = waitInThread(waits, 0, cursor, cursor);
        waits.stageAdvanced(1);
        Thread.sleep(200);
        assertThat(waited).isNotDone();
        cursor.setVolatile(0);
        waits.signalAllWhenBlocking();
        assertThat(waited.get(20, TimeUnit.SECONDS)).isEqualTo(0);
    }

    @Test
    @Timeout(30)
    void aStageWakesOnlyTheLevelThatWaitsForIt() throws Exception {
        final BackoffWaitStrategy waits = new BackoffWaitStrategy(HOUR);
        final Sequence cursor = new Sequence(5);
        final Sequence xet = new Sequence(-1);
        final CompletableFuture<Long> disk = waitInThread(waits, 0, cursor, xet, 2);
        waits.stageAdvanced(1);
        Thread.sleep(200);
        assertThat(disk).isNotDone();
        xet.setVolatile(0);
        waits.stageAdvanced(2);
        assertThat(disk.get(20, TimeUnit.SECONDS)).isEqualTo(0);
    }

    @Test
    @Timeout(30)
    void wakeAllEndsTheWaitsOfAHaltedRing() throws Exception {
        final BackoffWaitStrategy waits = new BackoffWaitStrategy(HOUR);
        final Sequence cursor = new Sequence(5);
        final Sequence xet = new Sequence(-1);
        final AlertOnly barrier = new AlertOnly();
        final CompletableFuture<Long> disk = waitInThread(waits, 0, cursor, xet, 2, barrier);
        // a halt alerts the barrier and signals only the threads waiting for the publisher
        barrier.alert();
        waits.signalAllWhenBlocking();
        Thread.sleep(200);
        assertThat(disk).isNotDone();
        waits.wakeAll();
        assertThat(disk).failsWithin(20, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .withCauseInstanceOf(AlertException.class);
    }

    private static CompletableFuture<Long> waitInThread(final BackoffWaitStrategy waits, final long sequence,
                                                        final Sequence cursor, final Sequence dependent)
        throws InterruptedException {
        return waitInThread(waits, sequence, cursor, dependent, 0);
    }

    private static CompletableFuture<Long> waitInThread(final BackoffWaitStrategy waits, final long sequence,
                                                        final Sequence cursor, final Sequence dependent,
                                                        final int level) throws InterruptedException {
        return waitInThread(waits, sequence, cursor, dependent, level, new AlertOnly());
    }

    /** Starts a thread (of stage {@code level}, 0 for none) waiting for {@code sequence}; returns once it is parked. */
    private static CompletableFuture<Long> waitInThread(final BackoffWaitStrategy waits, final long sequence,
                                                        final Sequence cursor, final Sequence dependent,
                                                        final int level, final SequenceBarrier barrier)
        throws InterruptedException {
        final CompletableFuture<Long> result = new CompletableFuture<>();
        final Thread t = Thread.ofPlatform().daemon().start(() -> {
            if (level > 0) {
                waits.declareLevel(level);
            }
            try {
                result.complete(waits.waitFor(sequence, cursor, dependent, barrier));
            } catch (final Throwable e) {
                result.completeExceptionally(e);
            }
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (LockSupport.getBlocker(t) != waits && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertThat(LockSupport.getBlocker(t)).as("the waiting thread parks").isSameAs(waits);
        return result;
    }

    /** A barrier that only carries the alert flag, as the Disruptor's halt sets it. */
    private static final class AlertOnly implements SequenceBarrier {
        private volatile boolean alerted;

        @Override
        public long waitFor(final long sequence) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long getCursor() {
            return 0;
        }

        @Override
        public boolean isAlerted() {
            return alerted;
        }

        @Override
        public void alert() {
            alerted = true;
        }

        @Override
        public void clearAlert() {
            alerted = false;
        }

        @Override
        public void checkAlert() throws AlertException {
            if (alerted) {
                throw AlertException.INSTANCE;
            }
        }
    }
}
