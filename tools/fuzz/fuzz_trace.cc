// The whole trace pipeline: split, parse, chain, classify, a bounce's MIME
// report and returned message, JSON and text.
// The JSON must always be valid UTF-8 and the text free of raw ESC bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/utf8.hh"
#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/hop_classifier.hh"
#include "report/display_zone.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const auto rules = hopscope::RuleSet::builtin();
    static const auto zone = *hopscope::DisplayZone::make("UTC");
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto t = hopscope::build_trace(in);
    if (!t) return 0;
    hopscope::classify(*t, rules);
    hopscope::analyse_bounce(*t, in, rules);
    auto json = hopscope::trace_to_json(*t, false);
    if (!hopscope::is_valid_utf8(json)) __builtin_trap();
    auto text = hopscope::render_text(*t, hopscope::TextStyle{false, true, zone});
    if (text.find('\x1b') != std::string::npos) __builtin_trap();
    return 0;
}
