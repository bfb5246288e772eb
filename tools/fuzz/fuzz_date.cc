// The date parser (GMime plus our zone check) on any bytes, and the
// allocation-free canonical reader held to the general reader's answer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/date_parser.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto d = hopscope::parse_date(in);
    if (d.time) (void)hopscope::format_utc(*d.time);
    if (!d.time && d.anomalies.empty()) __builtin_trap();  // a null time is always explained
    if (auto fast = hopscope::parse_canonical_date(in)) {
        auto general = hopscope::parse_date_general(in);
        if (general.time != fast || !general.anomalies.empty()) __builtin_trap();  // the two readers disagree
    }
    return 0;
}
