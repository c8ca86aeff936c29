package ccbt.pipeline.ring;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How the ring's stage threads wait: a short spin, then parking until woken, with {@link #MAX_PARK_NANOS}
 * as a safety net (a thread beyond {@link #MAX_WAITERS} polls with a pause doubling from
 * {@link #MIN_PARK_NANOS} to {@link #MAX_POLL_NANOS}).
 *
 * <p>Why not the Disruptor's own strategies: {@code BlockingWaitStrategy} blocks only while waiting for
 * the publisher and busy-spins while a stage waits for the stage before it, which is most of the time here
 * (hashing a piece takes milliseconds); on two cores those spinning threads took the CPU that hashing and
 * the network needed. {@code SleepingWaitStrategy} stops the spinning but wakes every stage thread every
 * 100 µs forever, a fifth of a core on an idle seedbox.
 *
 * <p>Who wakes whom: a publish wakes the threads waiting for the publisher (the Disruptor calls
 * {@link #signalAllWhenBlocking}); a stage that finished a piece calls {@link #stageAdvanced} after
 * publishing its own sequence, which wakes the threads waiting for stages. Before, waiting threads only
 * polled with a pause doubling from 20 µs, about ten wake-ups per stage per piece; now one to three.
 *
 * <p>No wake-up is lost: a waiter announces itself, fences, then looks at the sequence once more; a waker
 * advances the sequence, fences (a stage's volatile write does, the Disruptor's publish is only a release store,
 * so {@link #signalAllWhenBlocking} fences itself), then looks for waiters. So the safety net is long (1 s):
 * an idle engine's stage threads wake once a second each instead of a hundred times (a seeder's idle ring threads
 * took about 1 % of its CPU samples each at 10 ms). The Disruptor's halt wakes only the threads waiting for the
 * publisher; {@link #wakeAll} after it ends the others' waits at once.
 */
final class BackoffWaitStrategy implements WaitStrategy {
    static final int SPINS = 50;
    static final long MIN_PARK_NANOS = 20_000;
    static final long MAX_PARK_NANOS = 1_000_000_000;
    /** The longest pause of a thread that polls (beyond {@link #MAX_WAITERS}, so never woken). */
    static final long MAX_POLL_NANOS = 10_000_000;
    /** More waiting threads than this (stage threads of one ring) poll without being woken. */
    static final int MAX_WAITERS = 32;
    private static final int NOT_PARKED = 0;
    private static final int ON_PUBLISHER = 1;
    private static final int ON_STAGE = 2;
    /** For {@link #wake}: every parked thread, whatever it waits for. */
    private static final int ANY = -1;

    private final long maxParkNanos;
    private final AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(MAX_WAITERS);
    /** Per thread slot: what it is parked waiting for, or {@link #NOT_PARKED}. */
    private final AtomicIntegerArray parked = new AtomicIntegerArray(MAX_WAITERS);
    /** Per thread slot: the stage level the thread declared ({@link #declareLevel}), 0 if none. */
    private final AtomicIntegerArray levels = new AtomicIntegerArray(MAX_WAITERS);

    BackoffWaitStrategy() {
        this(MAX_PARK_NANOS);
    }

    /** With another safety-net time-out, for tests: a long one shows that waiters are woken, not polling. */
    BackoffWaitStrategy(final long maxParkNanos) {
        this.maxParkNanos = maxParkNanos;
    }

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
                        final SequenceBarrier barrier) throws AlertException {
        long available;
        int spins = 0;
        long park = MIN_PARK_NANOS;
        int slot = -2;
        try {
            while ((available = dependentSequence.get()) < sequence) {
                barrier.checkAlert();
                if (spins < SPINS) {
                    spins++;
                    Thread.onSpinWait();
                    continue;
                }
                if (slot == -2) {
                    slot = slotOf(Thread.currentThread());
                    if (slot >= 0) {
                        parked.set(slot, dependentSequence == cursor ? ON_PUBLISHER : ON_STAGE + levels.get(slot));
                        // Announced before the last look, so a waker that advances the sequence after this
                        // look sees the flag (both sides fence between their write and their read).
                        VarHandle.fullFence();
                        // Woken when there is work: the time-out is only the safety net.
                        park = maxParkNanos;
                        continue;
                    }
                }
                LockSupport.parkNanos(this, park);
                if (slot < 0) {
                    park = Math.min(Math.min(maxParkNanos, MAX_POLL_NANOS), park << 1);
                }
            }
        } finally {
            if (slot >= 0) {
                parked.set(slot, NOT_PARKED);
            }
        }
        return available;
    }

    /**
     * Parks the calling stage thread until {@code ready} holds, checked again after each publish, or until
     * {@code deadlineNanos} ({@link System#nanoTime}) passes; returns whether it holds. For a stage that waits
     * for a later event than the one it handles (the hash-verify stage's partner piece).
     */
    boolean awaitPublished(final BooleanSupplier ready, final long deadlineNanos) {
        final int slot = slotOf(Thread.currentThread());
        try {
            if (slot >= 0) {
                parked.set(slot, ON_PUBLISHER);
                // announced before the next look, as in waitFor: a publish after that look wakes this thread
                VarHandle.fullFence();
            }
            while (!ready.getAsBoolean()) {
                final long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, slot >= 0 ? left : Math.min(left, MIN_PARK_NANOS));
            }
            return true;
        } finally {
            if (slot >= 0) {
                parked.set(slot, NOT_PARKED);
            }
        }
    }

    /** The slot of {@code t}, registering it on its first wait; -1 when every slot is taken. */
    private int slotOf(final Thread t) {
        for (int i = 0; i < MAX_WAITERS; i++) {
            final Thread s = threads.get(i);
            if (s == t) {
                return i;
            }
            if (s == null && threads.compareAndSet(i, null, t)) {
                return i;
            }
            if (threads.get(i) == t) {
                return i;
            }
        }
        return -1;
    }

    /** Unparks the registered threads parked waiting for {@code kind} or {@code orKind} ({@link #ANY}: all). */
    private void wake(final int kind, final int orKind) {
        for (int i = 0; i < MAX_WAITERS; i++) {
            final Thread t = threads.get(i);
            if (t == null) {
                return;
            }
            final int p = parked.get(i);
            if (p == kind || p == orKind || kind == ANY && p != NOT_PARKED) {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * Declares the calling stage thread's level: 1 for the stage after hash-verify, 2 for the one after
     * that. {@link #stageAdvanced} then wakes it only when the stage it waits for advanced, not on every
     * stage's progress (the disk-write thread was woken by every shard too, up to four times per piece).
     */
    void declareLevel(final int level) {
        final int slot = slotOf(Thread.currentThread());
        if (slot >= 0) {
            levels.set(slot, level);
        }
    }

    /** Called by the Disruptor after every publish (and on halt): wakes threads waiting for the publisher. */
    @Override
    public void signalAllWhenBlocking() {
        // the publish before this call was a release store: without the fence the look at the waiters could pass
        // it, miss a thread that parked after checking the old cursor, and leave it for the safety net
        VarHandle.fullFence();
        wake(ON_PUBLISHER, ON_PUBLISHER);
    }

    /** Wakes every parked thread (after the ring's halt, whose alert wakes only those waiting for the publisher). */
    void wakeAll() {
        wake(ANY, ANY);
    }

    /**
     * A stage has set its sequence past a piece (with a volatile write): wakes the threads of level
     * {@code nextLevel}, which wait for it, and threads waiting for a stage that declared no level.
     */
    void stageAdvanced(final int nextLevel) {
        wake(ON_STAGE + nextLevel, ON_STAGE);
    }
}
