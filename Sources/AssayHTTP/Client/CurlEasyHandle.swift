import CCurl

/// Owns one libcurl easy handle; `curl_easy_cleanup` on deinit.
///
/// Used only on the multi loop's thread. Handles are reset and pooled between requests; the
/// connections themselves live in the multi handle's cache, so any handle reuses them.
package final class CurlEasyHandle {
    package let raw: UnsafeMutableRawPointer

    package init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
    }

    deinit { curl_easy_cleanup(raw) }

    /// Clears every option so the next request starts clean; live connections stay cached.
    package func reset() { curl_easy_reset(raw) }

    package func set(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(assay_curl_setopt_long(raw, option, value), option)
    }

    package func set(_ option: CURLoption, _ value: String) throws(HTTPClientError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go away.
        try check(assay_curl_setopt_str(raw, option, value), option)
    }

    package func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(HTTPClientError) {
        try check(assay_curl_setopt_ptr(raw, option, pointer), option)
    }

    package func set(_ option: CURLoption, offset: Int64) throws(HTTPClientError) {
        try check(assay_curl_setopt_off(raw, option, curl_off_t(offset)), option)
    }

    /// For options that copy their data (`CURLOPT_COPYPOSTFIELDS`): valid only during the call.
    package func setCopying(_ option: CURLoption, bytes: [UInt8]) throws(HTTPClientError) {
        var empty: UInt8 = 0
        let code =
            bytes.isEmpty
            ? assay_curl_setopt_ptr(raw, option, &empty)
            : bytes.withUnsafeBytes {
                assay_curl_setopt_ptr(raw, option, UnsafeMutableRawPointer(mutating: $0.baseAddress))
            }
        try check(code, option)
    }

    package func info(_ info: CURLINFO) -> Int {
        var value = 0
        _ = assay_curl_getinfo_long(raw, info, &value)
        return value
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw .invalidRequest(
                "libcurl rejected option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
