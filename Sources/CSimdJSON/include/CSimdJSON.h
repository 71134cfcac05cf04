#ifndef ASSAY_CSIMDJSON_H
#define ASSAY_CSIMDJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// Whether `length` bytes at `bytes` are valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF), checked by simdjson's SIMD validator (Debian's libsimdjson-dev).
bool assay_validate_utf8(const char *bytes, size_t length);

/// The instruction sets `assay_json_unescape_blocks` can use, from none to the widest.
enum { ASSAY_UNESCAPE_NONE = 0, ASSAY_UNESCAPE_AVX2 = 1, ASSAY_UNESCAPE_AVX512 = 2 };

/// Decodes the escapes of the JSON string contents at `src` a whole 64-byte block at a time, as
/// long as each block is plain: no end of the string (an unescaped '"'), no control character, and
/// only two-character escapes (`\n`, `\"`, `\\`, ...). Stops before the first block that is not,
/// and before `length` bytes would be passed; never inside an escape. Returns the source bytes
/// decoded and sets `*written` to the bytes written at `dst`, which must have room for 64 bytes
/// past that (each block is stored whole). `src` must start outside an escape.
/// `level` is the widest instruction set to use (AVX-512 VBMI2 packs bytes with `vpcompressb`,
/// AVX2 with a byte shuffle per 8 bytes), capped at what the CPU has (checked once at load); with
/// none it decodes nothing.
size_t assay_json_unescape_blocks(int level, const uint8_t *src, size_t length, uint8_t *dst, size_t *written);

/// The widest level of `assay_json_unescape_blocks` this CPU has.
int assay_json_unescape_level(void);

/// One bit per byte of the 64 at `bytes` that a JSON string scanner must stop at: '"', '\\' or a
/// control character below 0x20 (bit i for byte i). Inline, so that the Swift decoder's loop
/// (JSONReader+Escapes) compiles it in place: four SSE2 compares and movemasks, where Swift's
/// SIMD16 comparisons are lowered lane by lane inside a loop and have no movemask. Elsewhere a
/// portable loop.
static inline uint64_t assay_json_special_mask64(const uint8_t *bytes) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i below_space = _mm_set1_epi8(0x1F);
    uint64_t mask = 0;
    for (int i = 0; i < 4; i++) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(bytes + 16 * i));
        const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
        const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control);
        mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(hit) << (16 * i);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int i = 0; i < 64; i++) {
        const uint8_t byte = bytes[i];
        mask |= (uint64_t)(byte == '"' || byte == '\\' || byte < 0x20) << i;
    }
    return mask;
#endif
}

#ifdef __cplusplus
}
#endif

#endif
