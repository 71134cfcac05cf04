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

// For each 8-bit mask, the indices of its set bits in order, one per byte: the byte shuffle that
// packs the kept bytes of 8 to the front (the AVX2 path's stand-in for `vpcompressb`).
struct PackTable {
    uint64_t shuffle[256];
};
constexpr PackTable make_pack_table() {
    PackTable table{};
    for (int mask = 0; mask < 256; mask++) {
        uint64_t shuffle = 0;
        int kept = 0;
        for (int i = 0; i < 8; i++) {
            if ((mask >> i) & 1) shuffle |= (uint64_t)i << (8 * kept++);
        }
        table.shuffle[mask] = shuffle;
    }
    return table;
}
constexpr PackTable pack_table = make_pack_table();

// One bit per byte of the 64 in `lo` and `hi` that equals `byte`.
__attribute__((target("avx2"))) inline uint64_t equal_mask(__m256i lo, __m256i hi, char byte) {
    const __m256i b = _mm256_set1_epi8(byte);
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, b)) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, b)) << 32;
}

// The 32 bits of `mask` as 32 bytes, 0xFF where the bit is set.
__attribute__((target("avx2"))) inline __m256i byte_mask(uint32_t mask) {
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32((int)mask), _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2,
                                                       2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    const __m256i bits = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bits), bits);
}

// `v` with each escaped `n t r b f` (bits of `escaped`) replaced by the byte it stands for.
__attribute__((target("avx2"))) inline __m256i decode_escapes(__m256i v, uint32_t escaped) {
    const __m256i at = byte_mask(escaped);
    const char letters[5] = {'n', 't', 'r', 'b', 'f'};
    const char bytes[5] = {'\n', '\t', '\r', '\b', '\f'};
    for (int i = 0; i < 5; i++) {
        const __m256i hit = _mm256_and_si256(at, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(letters[i])));
        v = _mm256_blendv_epi8(v, _mm256_set1_epi8(bytes[i]), hit);
    }
    return v;
}

// Stores the bytes of `v` whose bits of `keep` are set, packed, at `dst`; returns how many. Writes
// up to 16 bytes.
__attribute__((target("avx2,popcnt"))) inline size_t pack16(__m128i v, uint32_t keep, uint8_t *dst) {
    const uint32_t low = keep & 0xFF;
    const uint32_t high = (keep >> 8) & 0xFF;
    const __m128i shuffle = _mm_set_epi64x((long long)(pack_table.shuffle[high] + 0x0808080808080808ULL),
                                           (long long)pack_table.shuffle[low]);
    const __m128i packed = _mm_shuffle_epi8(v, shuffle);
    const size_t first = (size_t)_mm_popcnt_u32(low);
    _mm_storel_epi64((__m128i *)dst, packed);
    _mm_storel_epi64((__m128i *)(dst + first), _mm_unpackhi_epi64(packed, packed));
    return first + (size_t)_mm_popcnt_u32(high);
}

// The AVX-512 loop's steps with two 32-byte halves, masks from movemask, and the packing done 8
// bytes at a time by a byte shuffle from a 256-entry table.
__attribute__((target("avx2,popcnt"))) size_t unescape_avx2(
    const uint8_t *src, size_t length, uint8_t *dst, size_t *written) {
    const __m256i below_space = _mm256_set1_epi8(0x1F);
    size_t p = 0;
    size_t o = 0;
    uint64_t carry = 0;
    while (p + 64 <= length) {
        const __m256i lo = _mm256_loadu_si256((const __m256i *)(src + p));
        const __m256i hi = _mm256_loadu_si256((const __m256i *)(src + p + 32));
        const uint64_t slashes = equal_mask(lo, hi, '\\');
        uint64_t next_carry = carry;
        const uint64_t escaped = escaped_bytes(slashes, next_carry);
        const uint64_t control =
            (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(lo, below_space), lo)) |
            (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(hi, below_space), hi)) << 32;
        const uint64_t quotes = equal_mask(lo, hi, '"');
        if (((quotes & ~escaped) | control) != 0) break;
        const uint64_t valid = equal_mask(lo, hi, 'n') | equal_mask(lo, hi, 't') | equal_mask(lo, hi, 'r') |
                               equal_mask(lo, hi, 'b') | equal_mask(lo, hi, 'f') | quotes | slashes |
                               equal_mask(lo, hi, '/');
        if ((escaped & ~valid) != 0) break;
        const __m256i decoded_lo = decode_escapes(lo, (uint32_t)escaped);
        const __m256i decoded_hi = decode_escapes(hi, (uint32_t)(escaped >> 32));
        const uint64_t keep = ~(slashes & ~escaped);
        o += pack16(_mm256_castsi256_si128(decoded_lo), (uint32_t)keep, dst + o);
        o += pack16(_mm256_extracti128_si256(decoded_lo, 1), (uint32_t)(keep >> 16), dst + o);
        o += pack16(_mm256_castsi256_si128(decoded_hi), (uint32_t)(keep >> 32), dst + o);
        o += pack16(_mm256_extracti128_si256(decoded_hi, 1), (uint32_t)(keep >> 48), dst + o);
        p += 64;
        carry = next_carry;
    }
    *written = o;
    return p - carry;
}

int best_level() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vbmi2"))
        return ASSAY_UNESCAPE_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return ASSAY_UNESCAPE_AVX2;
    return ASSAY_UNESCAPE_NONE;
}

const int available_level = best_level();

}  // namespace
#endif

int assay_json_unescape_level(void) {
#if defined(__x86_64__)
    return available_level;
#else
    return ASSAY_UNESCAPE_NONE;
#endif
}

size_t assay_json_unescape_blocks(int level, const uint8_t *src, size_t length, uint8_t *dst, size_t *written) {
#if defined(__x86_64__)
    if (level > available_level) level = available_level;
    if (level == ASSAY_UNESCAPE_AVX512) return unescape_avx512(src, length, dst, written);
    if (level == ASSAY_UNESCAPE_AVX2) return unescape_avx2(src, length, dst, written);
#endif
    (void)level;
    *written = 0;
    return 0;
}
