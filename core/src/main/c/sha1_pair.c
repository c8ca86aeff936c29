/*
 * SHA-1 block compression (FIPS 180-4, section 6.1.2) on the x86 SHA extensions, for one message or for two
 * side by side. Why two: each SHA1RNDS4 waits for the one before it, and the CPUs measured (docs/performance.md)
 * can start an independent one during that wait, so two messages hashed together take about two thirds of the
 * time of one after the other.
 *
 * The state is five 32-bit words h0..h4 per message, as in FIPS 180-4. These functions take whole 64-byte
 * blocks; buffering and the padding of the last block are the caller's (ccbt.core.hash.ShaNi and its users).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <immintrin.h>
#include <jni.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Only the hashing code may use the SHA extensions (and SSE4.1, SSSE3): supported() must run on any x86-64 CPU,
 * so the file is compiled for the baseline and these functions for the extensions. */
#define SHA_CODE __attribute__((target("sha,sse4.1,ssse3")))
#define ALWAYS_INLINE static inline __attribute__((always_inline)) SHA_CODE

/* One message in registers: a..d packed as the SHA instructions want them (a in the top lane), e likewise,
 * a..d of four rounds ago (whose a, rotated, is the next e), the block's start state, and the message
 * schedule as four groups of four words used round-robin. */
typedef struct {
    __m128i abcd, e, previous, start_abcd, start_e, w[4];
} lane;

ALWAYS_INLINE __m128i rounds4(const __m128i abcd, const __m128i e_plus_w, const int group) {
    /* The round function changes every 20 rounds; the instruction takes it as an immediate. */
    switch (group / 5) {
        case 0: return _mm_sha1rnds4_epu32(abcd, e_plus_w, 0);
        case 1: return _mm_sha1rnds4_epu32(abcd, e_plus_w, 1);
        case 2: return _mm_sha1rnds4_epu32(abcd, e_plus_w, 2);
        default: return _mm_sha1rnds4_epu32(abcd, e_plus_w, 3);
    }
}

ALWAYS_INLINE void load_state(lane *l, const uint32_t *h) {
    l->abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) h), 0x1B);
    l->e = _mm_set_epi32((int) h[4], 0, 0, 0);
}

ALWAYS_INLINE void store_state(const lane *l, uint32_t *h) {
    _mm_storeu_si128((__m128i *) h, _mm_shuffle_epi32(l->abcd, 0x1B));
    h[4] = (uint32_t) _mm_extract_epi32(l->e, 3);
}

/* Loads the block's 16 words (big-endian) and runs rounds 0..3, whose e is the state's own. */
ALWAYS_INLINE void begin_block(lane *l, const uint8_t *block) {
    const __m128i byte_swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int k = 0; k < 4; k++) {
        l->w[k] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (block + 16 * k)), byte_swap);
    }
    l->start_abcd = l->abcd;
    l->start_e = l->e;
    l->previous = l->abcd;
    l->abcd = rounds4(l->abcd, _mm_add_epi32(l->e, l->w[0]), 0);
}

/* Rounds 4g..4g+3 (g = 1..19). From g = 4 on, the group's words come from the schedule
 * w[t] = rotl1(w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16]), computed into the slot of the group 16 words back. */
ALWAYS_INLINE void rounds_of_group(lane *l, const int g) {
    __m128i *w = l->w;
    if (g >= 4) {
        w[g % 4] = _mm_sha1msg2_epu32(
            _mm_xor_si128(_mm_sha1msg1_epu32(w[g % 4], w[(g + 1) % 4]), w[(g + 2) % 4]), w[(g + 3) % 4]);
    }
    const __m128i e_plus_w = _mm_sha1nexte_epu32(l->previous, w[g % 4]);
    l->previous = l->abcd;
    l->abcd = rounds4(l->abcd, e_plus_w, g);
}

ALWAYS_INLINE void end_block(lane *l) {
    l->e = _mm_sha1nexte_epu32(l->previous, l->start_e);
    l->abcd = _mm_add_epi32(l->abcd, l->start_abcd);
}

/* Compresses the same number of blocks into two states, from two messages. */
static SHA_CODE void blocks2(uint32_t *state_a, uint32_t *state_b, const uint8_t *a, const uint8_t *b, size_t blocks) {
    lane la, lb;
    load_state(&la, state_a);
    load_state(&lb, state_b);
    for (; blocks > 0; blocks--, a += 64, b += 64) {
        begin_block(&la, a);
        begin_block(&lb, b);
#pragma GCC unroll 19
        for (int g = 1; g < 20; g++) {
            rounds_of_group(&la, g);
            rounds_of_group(&lb, g);
        }
        end_block(&la);
        end_block(&lb);
    }
    store_state(&la, state_a);
    store_state(&lb, state_b);
}

/* Compresses blocks into one state, from one message. */
static SHA_CODE void blocks1(uint32_t *state, const uint8_t *data, size_t blocks) {
    lane l;
    load_state(&l, state);
    for (; blocks > 0; blocks--, data += 64) {
        begin_block(&l, data);
#pragma GCC unroll 19
        for (int g = 1; g < 20; g++) {
            rounds_of_group(&l, g);
        }
        end_block(&l);
    }
    store_state(&l, state);
}

/* 1 if this CPU has the instructions used above (SHA, SSE4.1, SSSE3), else 0. */
static int supported(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_SSSE3) || !(ecx & bit_SSE4_1)) {
        return 0;
    }
    if (__get_cpuid_max(0, NULL) < 7) {
        return 0;
    }
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & bit_SHA) != 0;
}

/* ccbt.core.hash.ShaNi's native methods; it asks supported() before the first compression. */
JNIEXPORT void JNICALL Java_ccbt_core_hash_ShaNi_compress1(JNIEnv *env, jclass type, jlong state, jlong data,
                                                          jlong blocks) {
    (void) env;
    (void) type;
    blocks1((uint32_t *) (intptr_t) state, (const uint8_t *) (intptr_t) data, (size_t) blocks);
}

JNIEXPORT void JNICALL Java_ccbt_core_hash_ShaNi_compress2(JNIEnv *env, jclass type, jlong state_a, jlong state_b,
                                                          jlong a, jlong b, jlong blocks) {
    (void) env;
    (void) type;
    blocks2((uint32_t *) (intptr_t) state_a, (uint32_t *) (intptr_t) state_b, (const uint8_t *) (intptr_t) a,
            (const uint8_t *) (intptr_t) b, (size_t) blocks);
}

JNIEXPORT jint JNICALL Java_ccbt_core_hash_ShaNi_supported(JNIEnv *env, jclass type) {
    (void) env;
    (void) type;
    return supported();
}

/*
 * Hashing a file mapping in place. A page of a mapping that the file no longer covers (it was truncated after
 * it was mapped) or that the disk cannot read raises SIGBUS in the thread that touches it; in code of its own the
 * JVM would take that for a crash of the whole process. So a thread hashing a mapping registers a jump buffer
 * under its thread id, and the handler installed here jumps back to it; every other SIGBUS goes on to the handler
 * that was there before (the JVM's, which turns faults in its own mapped-memory accesses into exceptions).
 * Thread ids live in a fixed table rather than in thread-local storage, which a signal handler cannot use safely
 * in a library loaded at run time.
 */
#define GUARD_SLOTS 64

typedef struct {
    _Atomic pid_t thread;
    sigjmp_buf *volatile jump;
} guard_slot;

static guard_slot guard_slots[GUARD_SLOTS];
static struct sigaction previous_bus_action;

static pid_t current_thread(void) {
    return (pid_t) syscall(SYS_gettid);
}

static void on_bus(int signal_number, siginfo_t *info, void *context) {
    const pid_t self = current_thread();
    for (int i = 0; i < GUARD_SLOTS; i++) {
        if (atomic_load(&guard_slots[i].thread) == self && guard_slots[i].jump != NULL) {
            siglongjmp(*guard_slots[i].jump, 1);
        }
    }
    if (previous_bus_action.sa_flags & SA_SIGINFO) {
        previous_bus_action.sa_sigaction(signal_number, info, context);
    } else if (previous_bus_action.sa_handler == SIG_DFL) {
        /* What the signal would have done without this handler: end the process. */
        signal(signal_number, SIG_DFL);
        raise(signal_number);
    } else if (previous_bus_action.sa_handler != SIG_IGN) {
        previous_bus_action.sa_handler(signal_number);
    }
}

/* Installs the SIGBUS handler in front of the one already there; 1 if done (or done before). */
JNIEXPORT jint JNICALL Java_ccbt_core_hash_ShaNi_installMappingGuard(JNIEnv *env, jclass type) {
    (void) env;
    (void) type;
    struct sigaction current;
    if (sigaction(SIGBUS, NULL, &current) != 0) {
        return 0;
    }
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_bus) {
        return 1; /* already in front: chaining to itself would loop */
    }
    previous_bus_action = current;
    struct sigaction action = current;
    action.sa_sigaction = on_bus;
    action.sa_flags = (previous_bus_action.sa_flags | SA_SIGINFO) & ~SA_RESETHAND;
    return sigaction(SIGBUS, &action, NULL) == 0 ? 1 : 0;
}

/*
 * compress2 over memory that may fault: 1 if every block was hashed, 0 if a page could not be read (the states
 * are then partly updated and worthless), -1 if all guard slots are taken (nothing was hashed).
 */
JNIEXPORT jint JNICALL Java_ccbt_core_hash_ShaNi_compress2Guarded(JNIEnv *env, jclass type, jlong state_a,
                                                                 jlong state_b, jlong a, jlong b, jlong blocks) {
    (void) env;
    (void) type;
    const pid_t self = current_thread();
    guard_slot *slot = NULL;
    for (int i = 0; i < GUARD_SLOTS && slot == NULL; i++) {
        pid_t free_slot = 0;
        if (atomic_compare_exchange_strong(&guard_slots[i].thread, &free_slot, self)) {
            slot = &guard_slots[i];
        }
    }
    if (slot == NULL) {
        return -1;
    }
    sigjmp_buf jump;
    volatile jint result = 0;
    if (sigsetjmp(jump, 1) == 0) {
        slot->jump = &jump;
        blocks2((uint32_t *) (intptr_t) state_a, (uint32_t *) (intptr_t) state_b, (const uint8_t *) (intptr_t) a,
                (const uint8_t *) (intptr_t) b, (size_t) blocks);
        result = 1;
    }
    slot->jump = NULL;
    atomic_store(&slot->thread, 0);
    return result;
}
