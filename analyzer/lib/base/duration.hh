// A span of seconds in words a reader takes in at a glance: "45s",
// "9m 43s", "1h 02m 03s", "2d 03h 04m", "-3s". Every stage that writes a
// duration into a detail or a report uses this one form.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace hopscope {

namespace duration_detail {

// Appends v in decimal, at least two digits when two is set.
inline char* put(char* w, std::uint64_t v, bool two) {
    if (two && v < 10) *w++ = '0';
    return std::to_chars(w, w + 20, v).ptr;
}

}  // namespace duration_detail

// The same text in a buffer of its own, for callers that append it to a
// longer text (no string of its own).
struct DurationText {
    std::array<char, 32> buf{};
    std::size_t len = 0;
    [[nodiscard]] std::string_view view() const { return {buf.data(), len}; }
};

inline DurationText duration_chars(std::int64_t seconds) {
    using duration_detail::put;
    bool neg = seconds < 0;
    std::uint64_t s = neg ? static_cast<std::uint64_t>(-(seconds + 1)) + 1 : static_cast<std::uint64_t>(seconds);
    DurationText out;
    char* w = out.buf.data();
    if (neg) *w++ = '-';
    auto unit = [&w](std::uint64_t v, bool two, char u) {
        w = put(w, v, two);
        *w++ = u;
    };
    if (s < 60) {
        unit(s, false, 's');
    } else if (s < 3600) {
        unit(s / 60, false, 'm');
        *w++ = ' ';
        unit(s % 60, true, 's');
    } else if (s < 86400) {
        unit(s / 3600, false, 'h');
        *w++ = ' ';
        unit(s % 3600 / 60, true, 'm');
        *w++ = ' ';
        unit(s % 60, true, 's');
    } else {
        unit(s / 86400, false, 'd');
        *w++ = ' ';
        unit(s % 86400 / 3600, true, 'h');
        *w++ = ' ';
        unit(s % 3600 / 60, true, 'm');
    }
    out.len = static_cast<std::size_t>(w - out.buf.data());
    return out;
}

inline std::string duration_text(std::int64_t seconds) {
    return std::string(duration_chars(seconds).view());
}

}  // namespace hopscope
