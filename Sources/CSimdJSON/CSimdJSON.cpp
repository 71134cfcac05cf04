// A C face for the one part of simdjson the JSON parser uses, so that Swift needs no C++ interop.
#include "CSimdJSON.h"

#include <simdjson.h>

bool assay_validate_utf8(const char *bytes, size_t length) { return simdjson::validate_utf8(bytes, length); }
