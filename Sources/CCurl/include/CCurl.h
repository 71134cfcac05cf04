#ifndef ASSAY_CCURL_H
#define ASSAY_CCURL_H
// libcurl with non-variadic wrappers: Swift cannot call curl_easy_setopt/getinfo directly.
#include <curl/curl.h>

CURLcode assay_curl_setopt_long(CURL *h, CURLoption opt, long value);
CURLcode assay_curl_setopt_ptr(CURL *h, CURLoption opt, void *value);
CURLcode assay_curl_setopt_str(CURL *h, CURLoption opt, const char *value);
CURLcode assay_curl_setopt_off(CURL *h, CURLoption opt, curl_off_t value);
CURLcode assay_curl_setopt_write_cb(CURL *h, size_t (*cb)(char *, size_t, size_t, void *));
CURLcode assay_curl_setopt_header_cb(CURL *h, size_t (*cb)(char *, size_t, size_t, void *));
CURLcode assay_curl_setopt_xferinfo_cb(CURL *h, int (*cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t));
CURLcode assay_curl_getinfo_long(CURL *h, CURLINFO info, long *value);
CURLcode assay_curl_getinfo_double(CURL *h, CURLINFO info, double *value);
CURLMcode assay_curl_multi_setopt_long(CURLM *m, CURLMoption opt, long value);

#endif
