// One message as every command analyses it (analyse_message): the refusal of
// what is not mail, the header block, the chain, classification, a bounce,
// the messages attached as message/rfc822 (GMime's MIME tree), and the JSON
// and text of it all, security section included. The JSON must always be
// valid UTF-8 and the text free of raw ESC bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/utf8.hh"
#include "classify/message_analysis.hh"
#include "report/display_zone.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const auto rules = hopscope::RuleSet::builtin();
    static const auto zone = *hopscope::DisplayZone::make("UTC");
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto t = hopscope::analyse_message(in, rules);
    if (!t) return 0;
    auto json = hopscope::trace_to_json(*t, false);
    if (!hopscope::is_valid_utf8(json)) __builtin_trap();
    hopscope::TextStyle style{false, true, zone};
    style.width = 100;
    auto text = hopscope::render_text(*t, style);
    if (text.find('\x1b') != std::string::npos) __builtin_trap();
    return 0;
}
