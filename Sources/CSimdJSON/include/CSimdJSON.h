#ifndef ASSAY_CSIMDJSON_H
#define ASSAY_CSIMDJSON_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether `length` bytes at `bytes` are valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF), checked by simdjson's SIMD validator (Debian's libsimdjson-dev).
bool assay_validate_utf8(const char *bytes, size_t length);

#ifdef __cplusplus
}
#endif

#endif
