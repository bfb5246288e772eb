// The Received tokenizer and parser on any bytes, and the hand-written fast
// paths held to the plain or library code they stand in for: unfolding,
// IPv4 text (inet_pton), header text decoding (GMime), JSON escaping (a
// code point at a time).
#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/gmime_text.hh"
#include "base/utf8.hh"
#include "input/header_block.hh"
#include "parse/ip_address.hh"
#include "parse/received_parser.hh"
#include "parse/received_tokenizer.hh"
#include "parse/security_headers.hh"
#include "report/json_writer.hh"

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

// JSON string escaping one code point at a time, as the rule reads: the
// writer's block copies must give the same bytes.
std::string plain_json_string(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    auto u_escape = [](std::string& out, unsigned cp) {
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(cp >> static_cast<unsigned>(shift)) & 0xFU]);
    };
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            if (c == '"' || c == '\\') {
                out.push_back('\\');
                out.push_back(static_cast<char>(c));
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else if (c == '\t') {
                out += "\\t";
            } else if (c < 0x20 || c == 0x7f) {
                u_escape(out, c);
            } else {
                out.push_back(static_cast<char>(c));
            }
            continue;
        }
        std::size_t before = i;
        char32_t cp = hopscope::next_code_point(s, i);
        bool invisible = (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
                         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
        if (cp == 0xFFFD && i - before == 1)
            out += "\xEF\xBF\xBD";
        else if (invisible)
            u_escape(out, static_cast<unsigned>(cp));
        else
            out.append(s.substr(before, i - before));
    }
    out.push_back('"');
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
    // An ARC-Seal as written gives what its unfolded value gives.
    if (hopscope::arc_seal_without_signature(in) != hopscope::arc_seal_without_signature(plain_unfold_collapsed(in)))
        __builtin_trap();
    if (size <= 64 && in.find('\0') == std::string_view::npos && in.find(':') == std::string_view::npos) {
        std::array<unsigned char, 4> bin{};
        bool want = inet_pton(AF_INET, std::string(in).c_str(), bin.data()) == 1;
        auto got = hopscope::normalise_ip(in);
        if (got.has_value() != want || (got && *got != in)) __builtin_trap();
    }
    // An IPv6 address (hex, ':' and '.' only) gives what inet_pton and
    // format_ipv6 give, whether or not it is written in canonical form.
    if (size <= 64 && in.find(':') != std::string_view::npos &&
        in.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos) {
        std::array<unsigned char, 16> bin{};
        std::optional<std::string> want;
        if (inet_pton(AF_INET6, std::string(in).c_str(), bin.data()) == 1) want = hopscope::format_ipv6(bin);
        if (hopscope::normalise_ip(in) != want) __builtin_trap();
    }
    if (size <= 4096 && in.find('\n') == std::string_view::npos &&
        hopscope::decode_header_text(in) != hopscope::decode_header_text_gmime(in))
        __builtin_trap();
    std::string json;
    hopscope::append_json_string(json, in);
    if (!hopscope::is_valid_utf8(json) || json != plain_json_string(in)) __builtin_trap();
    return 0;
}
