// UTF-8 validity: header bytes are whatever a stranger sent; every string
// that leaves hopscope is valid UTF-8.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hopscope {

// Length of the leading run of bytes below 0x80, sixteen (or eight) at a time:
// nearly every header is ASCII, and the checks below skip it this way.
inline std::size_t ascii_prefix(std::string_view s) {
    std::size_t i = 0;
#if defined(__SSE2__)
    // Sixteen bytes a step; the last block overlaps the one before, whose
    // bytes are known to be ASCII, so no byte loop runs.
    const char* p = s.data();
    std::size_t n = s.size();
    if (n >= 16) {
        for (; i + 16 <= n; i += 16) {
            auto high =
                static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))));
            if (high != 0) return i + static_cast<std::size_t>(__builtin_ctz(high));
        }
        auto high =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16))));
        return high == 0 ? n : n - 16 + static_cast<std::size_t>(__builtin_ctz(high));
    }
#endif
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t v = 0;
        std::memcpy(&v, s.data() + i, 8);
        if ((v & 0x8080808080808080ULL) != 0) break;
    }
    while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
    return i;
}

bool is_valid_utf8(std::string_view s);

// Replaces each invalid byte with U+FFFD.
std::string make_valid_utf8(std::string_view s);
// The same for a string we own: returned as it is (no copy) when already valid.
std::string make_valid_utf8(std::string&& s);

// Valid UTF-8 of at most `max` bytes: invalid bytes replaced (each U+FFFD
// takes three), then cut at a character boundary.
std::string valid_utf8_prefix(std::string_view s, std::size_t max);

// Decodes one code point at s[i], advancing i; returns U+FFFD for a bad byte.
char32_t next_code_point(std::string_view s, std::size_t& i);

void append_utf8(std::string& out, char32_t cp);

}  // namespace hopscope
