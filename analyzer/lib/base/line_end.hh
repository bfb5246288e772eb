// The next line break. Every message has a hundred or more short header
// lines (50 to 80 bytes), read twice: by the mbox splitter and by the header
// splitter. The search is inline, sixteen bytes at a time, instead of a call
// to memchr per line.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstddef>
#include <string_view>

namespace hopscope {

// Where the first '\n' at or after pos is, or npos.
inline std::size_t find_line_end(std::string_view data, std::size_t pos) {
    const char* const base = data.data();
    std::size_t n = data.size();
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    for (; pos + 16 <= n; pos += 16) {
        auto mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(base + pos)), nl)));
        if (mask != 0) return pos + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; pos < n; ++pos)
        if (base[pos] == '\n') return pos;
    return std::string_view::npos;
}

}  // namespace hopscope
