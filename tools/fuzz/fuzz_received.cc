// The Received tokenizer and parser on any bytes, and the hand-written fast
// paths held to the plain or library code they stand in for: unfolding,
// IPv4 text (inet_pton), header text decoding (GMime), JSON escaping.
#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gmime_text.hh"
#include "header_block.hh"
#include "ip_address.hh"
#include "json_writer.hh"
#include "received_parser.hh"
#include "received_tokenizer.hh"
#include "utf8.hh"

namespace {

std::string plain_unfold_collapsed(std::string_view raw) {
    std::string out;
    bool pending = false;
    for (char c : raw) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending = !out.empty();
            continue;
        }
        if (pending) out.push_back(' ');
        pending = false;
        out.push_back(c);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto toks = hopscope::tokenize_received(in);
    for (const auto& t : toks.tokens)
        if (t.kind == hopscope::TokenKind::Comment) (void)hopscope::tokenize_comment(t.text);
    auto r = hopscope::parse_received(in);
    if (r.from.host && !r.from.rdns && !r.from.helo) __builtin_trap();  // host is always one of the two

    if (hopscope::unfold_collapsed(in) != plain_unfold_collapsed(in)) __builtin_trap();
    if (size <= 64 && in.find('\0') == std::string_view::npos && in.find(':') == std::string_view::npos) {
        std::array<unsigned char, 4> bin{};
        bool want = inet_pton(AF_INET, std::string(in).c_str(), bin.data()) == 1;
        auto got = hopscope::normalise_ip(in);
        if (got.has_value() != want || (got && *got != in)) __builtin_trap();
    }
    if (size <= 4096 && in.find('\n') == std::string_view::npos &&
        hopscope::decode_header_text(in) != hopscope::decode_header_text_gmime(in))
        __builtin_trap();
    std::string json;
    hopscope::append_json_string(json, in);
    if (!hopscope::is_valid_utf8(json) || json.size() < 2 || json.front() != '"' || json.back() != '"')
        __builtin_trap();
    return 0;
}
