// A C face for the parts of simdjson the JSON parser uses, so that Swift needs no C++ interop, and
// the wide block decoder of JSON string escapes (see CSimdJSON.h).
#include "CSimdJSON.h"

#include <simdjson.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

bool assay_validate_utf8(const char *bytes, size_t length) { return simdjson::validate_utf8(bytes, length); }

#if defined(__x86_64__)
namespace {

// The bytes of a 64-byte block that a backslash escapes: in each run of backslashes every second
// one and, after a run of odd length, the byte after it. `carry` is 1 when the block's first byte is
// escaped by a backslash that ended the block before, and is set for the next block the same way.
// simdjson's stage-1 arithmetic: the odd-length runs are found by one addition.
inline uint64_t escaped_bytes(uint64_t backslash, uint64_t &carry) {
    const uint64_t even_bits = 0x5555555555555555ULL;
    backslash &= ~carry;
    const uint64_t follows_escape = backslash << 1 | carry;
    const uint64_t odd_starts = backslash & ~even_bits & ~follows_escape;
    uint64_t sequences_on_even;
    carry = __builtin_add_overflow(odd_starts, backslash, &sequences_on_even);
    return (even_bits ^ (sequences_on_even << 1)) & follows_escape;
}

// Each block's work depends on the blocks before it only through the carry and the output's
// length, so the loads and compares of the next blocks run ahead.
__attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt"))) size_t unescape_avx512(
    const uint8_t *src, size_t length, uint8_t *dst, size_t *written) {
    const __m512i quote = _mm512_set1_epi8('"');
    const __m512i backslash = _mm512_set1_epi8('\\');
    const __m512i space = _mm512_set1_epi8(0x20);
    size_t p = 0;
    size_t o = 0;
    uint64_t carry = 0;
    while (p + 64 <= length) {
        const __m512i v = _mm512_loadu_si512(src + p);
        const uint64_t slashes = _mm512_cmpeq_epi8_mask(v, backslash);
        uint64_t next_carry = carry;
        const uint64_t escaped = escaped_bytes(slashes, next_carry);
        // The string ends, a control character, or an escape other than the two-character ones:
        // the caller's exact decoder takes this block.
        if (((_mm512_cmpeq_epi8_mask(v, quote) & ~escaped) | _mm512_cmplt_epu8_mask(v, space)) != 0) break;
        const uint64_t n = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('n'));
        const uint64_t t = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('t'));
        const uint64_t r = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('r'));
        const uint64_t b = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('b'));
        const uint64_t f = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('f'));
        const uint64_t same =
            _mm512_cmpeq_epi8_mask(v, quote) | slashes | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('/'));
        if ((escaped & ~(n | t | r | b | f | same)) != 0) break;
        __m512i decoded = _mm512_mask_mov_epi8(v, escaped & n, _mm512_set1_epi8('\n'));
        decoded = _mm512_mask_mov_epi8(decoded, escaped & t, _mm512_set1_epi8('\t'));
        decoded = _mm512_mask_mov_epi8(decoded, escaped & r, _mm512_set1_epi8('\r'));
        decoded = _mm512_mask_mov_epi8(decoded, escaped & b, _mm512_set1_epi8('\b'));
        decoded = _mm512_mask_mov_epi8(decoded, escaped & f, _mm512_set1_epi8('\f'));
        // Every byte but the backslashes that start escapes (one in the last byte included: its
        // escaped byte is the next block's first).
        const uint64_t keep = ~(slashes & ~escaped);
        _mm512_storeu_si512(dst + o, _mm512_maskz_compress_epi8(keep, decoded));
        o += (size_t)_mm_popcnt_u64(keep);
        p += 64;
        carry = next_carry;
    }
    *written = o;
    // Stopped after a backslash that escapes the next block's first byte: hand back from it (it
    // was not written).
    return p - carry;
}

bool has_avx512_vbmi2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi2");
}

const bool wide_blocks = has_avx512_vbmi2();

}  // namespace
#endif

bool assay_json_unescape_blocks_available(void) {
#if defined(__x86_64__)
    return wide_blocks;
#else
    return false;
#endif
}

size_t assay_json_unescape_blocks(const uint8_t *src, size_t length, uint8_t *dst, size_t *written) {
#if defined(__x86_64__)
    if (wide_blocks) return unescape_avx512(src, length, dst, written);
#endif
    *written = 0;
    return 0;
}
