package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class AnnounceScheduleTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static AnnounceResponse answer(Duration interval, Optional<Duration> min) {
        return new AnnounceResponse(interval, min, Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
                List.of(), Optional.empty());
    }

    @Test
    void isDueImmediatelyBeforeTheFirstAnnounce() {
        assertThat(new AnnounceSchedule().isDue(T0)).isTrue();
    }

    @Test
    void nextAnnounceFollowsTheTrackersInterval() {
        AnnounceSchedule s = new AnnounceSchedule();
        assertThat(s.succeeded(T0, answer(Duration.ofSeconds(1800), Optional.of(Duration.ofSeconds(900)))))
                .isEqualTo(T0.plusSeconds(1800));
        assertThat(s.isDue(T0.plusSeconds(1799))).isFalse();
        assertThat(s.isDue(T0.plusSeconds(1800))).isTrue();
        assertThat(s.earliestAllowed()).isEqualTo(T0.plusSeconds(900));
    }

    @Test
    void minIntervalAboveIntervalWins() {
        AnnounceSchedule s = new AnnounceSchedule();
        assertThat(s.succeeded(T0, answer(Duration.ofSeconds(60), Optional.of(Duration.ofSeconds(120)))))
                .isEqualTo(T0.plusSeconds(120));
    }

    @Test
    void hostileIntervalsAreKeptWithinFloorAndCeiling() {
        AnnounceSchedule s = new AnnounceSchedule();
        assertThat(s.succeeded(T0, answer(Duration.ZERO, Optional.empty()))).isEqualTo(T0.plusSeconds(30));
        assertThat(s.succeeded(T0, answer(Duration.ofSeconds(Integer.MAX_VALUE), Optional.empty())))
                .isEqualTo(T0.plus(Duration.ofHours(6)));
    }

    @Test
    void failuresBackOffFrom15SecondsDoublingTo30Minutes() {
        AnnounceSchedule s = new AnnounceSchedule();
        Instant now = T0;
        List<Long> waits = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Instant next = s.failed(now);
            waits.add(Duration.between(now, next).toSeconds());
            now = next;
        }
        assertThat(waits).containsExactly(15L, 30L, 60L, 120L, 240L, 480L, 960L, 1800L, 1800L, 1800L);
        assertThat(s.consecutiveFailures()).isEqualTo(10);
        assertThat(s.backoff(1_000)).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void anAnswerResetsTheBackOff() {
        AnnounceSchedule s = new AnnounceSchedule();
        s.failed(T0);
        s.failed(T0);
        s.succeeded(T0, answer(Duration.ofSeconds(600), Optional.empty()));
        assertThat(s.consecutiveFailures()).isZero();
        assertThat(s.failed(T0)).isEqualTo(T0.plusSeconds(15));
    }

    @Test
    void rejectsInconsistentBounds() {
        assertThatThrownBy(() -> new AnnounceSchedule(Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ZERO, Duration.ofHours(1))).hasMessageContaining("first=PT10S max=PT5S");
        assertThatThrownBy(() -> new AnnounceSchedule(Duration.ofSeconds(10), Duration.ofSeconds(50),
                Duration.ofHours(2), Duration.ofHours(1))).hasMessageContaining("floor=PT2H ceiling=PT1H");
    }
}
