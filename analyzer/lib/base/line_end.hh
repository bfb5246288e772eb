// The next line break. Every message has a hundred or more short header
// lines (50 to 80 bytes), read twice: by the mbox splitter and by the header
// splitter. The search is inline, sixteen bytes at a time, instead of a call
// to memchr per line.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstddef>
#include <cstdint>
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

// The line breaks of one text in order, found 32 bytes a step: the bits of
// the block last read answer the next lines' asks without reading again.
// Positions asked for must not go back.
class LineBreaks {
  public:
    explicit LineBreaks(std::string_view data) : base_(data.data()), n_(data.size()) {}

    // Where the first '\n' at or after pos is, or npos.
    std::size_t next(std::size_t pos) {
        if (pos >= block_ && pos < block_ + 32) {
            std::uint32_t m = mask_ >> (pos - block_);
            if (m != 0) return pos + static_cast<std::size_t>(__builtin_ctz(m));
            pos = block_ + 32;
        }
#if defined(__SSE2__)
        const __m128i nl = _mm_set1_epi8('\n');
        for (; pos + 32 <= n_; pos += 32) {
            auto lo = static_cast<std::uint32_t>(
                _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(base_ + pos)), nl)));
            auto hi = static_cast<std::uint32_t>(_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(base_ + pos + 16)), nl)));
            block_ = pos;
            mask_ = lo | (hi << 16U);
            if (mask_ != 0) return pos + static_cast<std::size_t>(__builtin_ctz(mask_));
        }
#endif
        for (; pos < n_; ++pos)
            if (base_[pos] == '\n') return pos;
        return std::string_view::npos;
    }

  private:
    const char* base_;
    std::size_t n_;
    std::size_t block_ = std::string_view::npos - 32;  // no block read yet
    std::uint32_t mask_ = 0;
};

}  // namespace hopscope
