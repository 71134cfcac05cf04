#ifndef ASSAY_CPCRE2_SHIM_H
#define ASSAY_CPCRE2_SHIM_H
// PCRE2 wants the code unit width chosen before the header is read; we use UTF-8.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
