package ccbt.xet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class XetServeLimiterTest {
    @Test
    void refusesRequestsBeyondTheBoundUntilOneFinishes() {
        final XetServeLimiter l = new XetServeLimiter(3);
        assertThat(l.tryStart()).isTrue();
        assertThat(l.tryStart()).isTrue();
        assertThat(l.tryStart()).isTrue();
        assertThat(l.tryStart()).isFalse();
        assertThat(l.tryStart()).isFalse();
        assertThat(l.inProgress()).isEqualTo(3);
        assertThat(l.refused()).isEqualTo(2);
        l.finish();
        assertThat(l.tryStart()).isTrue();
        assertThat(l.tryStart()).isFalse();
    }

    @Test
    void finishingMoreThanStartedIsABug() {
        final XetServeLimiter l = new XetServeLimiter(XetServeLimiter.DEFAULT_MAX_IN_PROGRESS);
        assertThat(l.tryStart()).isTrue();
        l.finish();
        assertThatThrownBy(l::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new XetServeLimiter(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
