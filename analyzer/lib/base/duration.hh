// A span of seconds in words a reader takes in at a glance: "45s",
// "9m 43s", "1h 02m 03s", "2d 03h 04m", "-3s". Every stage that writes a
// duration into a detail or a report uses this one form.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

namespace hopscope {

inline std::string duration_text(std::int64_t seconds) {
    bool neg = seconds < 0;
    std::uint64_t s = neg ? static_cast<std::uint64_t>(-(seconds + 1)) + 1 : static_cast<std::uint64_t>(seconds);
    std::array<char, 64> buf{};
    auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    if (s < 60)
        (void)std::snprintf(buf.data(), buf.size(), "%llus", u(s));
    else if (s < 3600)
        (void)std::snprintf(buf.data(), buf.size(), "%llum %02llus", u(s / 60), u(s % 60));
    else if (s < 86400)
        (void)std::snprintf(buf.data(), buf.size(), "%lluh %02llum %02llus", u(s / 3600), u(s % 3600 / 60), u(s % 60));
    else
        (void)std::snprintf(buf.data(), buf.size(), "%llud %02lluh %02llum", u(s / 86400), u(s % 86400 / 3600),
                            u(s % 3600 / 60));
    return (neg ? "-" : "") + std::string(buf.data());
}

}  // namespace hopscope
