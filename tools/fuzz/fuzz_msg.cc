// The Outlook .msg reader (libgsf's CFB reader under ours) on any bytes,
// with and without the Compound File signature in front: bounded embedded
// messages and text, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "classify/message_analysis.hh"
#include "input/outlook_msg.hh"

namespace {

std::size_t count(const hopscope::OutlookMessage& m, int depth) {
    if (depth > 5 || m.attachments.size() > 64) __builtin_trap();  // the reader's bounds
    std::size_t n = 1;
    for (const auto& a : m.attachments) n += count(a, depth + 1);
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string cfb = in.size() >= 8 && hopscope::is_compound_file(in)
                          ? std::string(in)
                          : std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(in);
    if (auto m = hopscope::read_outlook_msg(cfb)) (void)count(*m, 0);
    static const auto rules = hopscope::RuleSet::builtin();
    (void)hopscope::analyse_message(cfb, rules);
    return 0;
}
