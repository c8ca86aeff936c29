package ccbt.pipeline.rate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void admitsTheConfiguredRateOverSimulatedTime() {
        final AtomicLong now = new AtomicLong();
        final RateLimiter limiter = new RateLimiter(1_000_000, now::get);
        long admitted = 0;
        // Ten simulated seconds in 1 ms steps, asking for 16 KiB whenever possible.
        for (int ms = 0; ms < 10_000; ms++) {
            now.addAndGet(1_000_000);
            while (limiter.tryAcquire(16 * 1024)) {
                admitted += 16 * 1024;
            }
        }
        // 10 s at 1 MB/s plus at most the initial burst.
        assertThat(admitted).isBetween(9_900_000L, 10_000_000L + 250_000L + 16 * 1024);
    }

    @Test
    void unlimitedAlwaysAdmits() {
        final RateLimiter limiter = RateLimiter.unlimited();
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.tryAcquire(1 << 20)).isTrue();
        }
    }

    @Test
    void neverExceedsTheBurst() {
        final AtomicLong now = new AtomicLong();
        final RateLimiter limiter = new RateLimiter(400_000, now::get);
        now.addAndGet(60_000_000_000L);
        long admitted = 0;
        while (limiter.tryAcquire(1000)) {
            admitted += 1000;
        }
        assertThat(admitted).isLessThanOrEqualTo(100_000);
    }
}
