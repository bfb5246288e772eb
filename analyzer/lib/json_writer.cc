#include "json_writer.hh"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <cstdio>

#include "utf8.hh"

namespace hopscope {
namespace {

// C1 controls, line/paragraph separators and bidi overrides are escaped so
// the JSON stays safe to look at in a terminal or editor; the value is the same.
bool is_invisible_control(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

}  // namespace

// Bytes that end a plain run: controls, '"', '\\', DEL and every non-ASCII
// byte (checked as UTF-8 below). One table lookup per byte.
constexpr std::array<bool, 256> kSpecial = [] {
    std::array<bool, 256> t{};
    for (int b = 0; b < 256; ++b) t[static_cast<std::size_t>(b)] = b < 0x20 || b >= 0x7f || b == '"' || b == '\\';
    return t;
}();

// Eight bytes at a time: does any need escaping (control, '"', '\\', DEL,
// non-ASCII)? The borrow trick can report a byte falsely, never miss one.
bool word_is_plain(const char* p) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
    std::uint64_t bad = (v & highs) | ((v - ones * 0x20) & ~v & highs) | has_zero(v ^ (ones * '"')) |
                        has_zero(v ^ (ones * '\\')) | has_zero(v ^ (ones * 0x7f));
    return bad == 0;
}

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    const char* p = s.data();
    const char* end = p + s.size();
    while (p < end) {
        // Copy the run of characters that need no escaping in one go.
        const char* run = p;
        while (end - run >= 8 && word_is_plain(run)) run += 8;
        while (run < end && !kSpecial[static_cast<unsigned char>(*run)]) ++run;
        if (run > p) {
            out.append(p, static_cast<std::size_t>(run - p));
            p = run;
            if (p >= end) break;
        }
        auto c = static_cast<unsigned char>(*p);
        if (c >= 0x80) {
            std::size_t i = static_cast<std::size_t>(p - s.data());
            std::size_t before = i;
            char32_t cp = next_code_point(s, i);
            if (cp == 0xFFFD && i - before == 1)
                append_utf8(out, 0xFFFD);
            else if (is_invisible_control(cp)) {
                std::array<char, 8> buf{};
                (void)std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(cp));
                out += buf.data();
            } else {
                out.append(s.substr(before, i - before));
            }
            p = s.data() + i;
            continue;
        }
        ++p;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default: {
                std::array<char, 8> buf{};
                (void)std::snprintf(buf.data(), buf.size(), "\\u%04x", c);
                out += buf.data();
            }
        }
    }
    out.push_back('"');
}

void JsonWriter::newline() {
    if (!pretty_) return;
    out_.push_back('\n');
    out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (stack_.empty()) return;
    if (!stack_.back().empty) out_.push_back(',');
    stack_.back().empty = false;
    newline();
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_.push_back('{');
    stack_.push_back({true, true});
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_.push_back('}');
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_.push_back('[');
    stack_.push_back({false, true});
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_.push_back(']');
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    before_value();
    bool plain = k.size() <= 60;
    for (char c : k) plain = plain && !kSpecial[static_cast<unsigned char>(c)];
    if (plain && !pretty_) {  // our own field names: one append, no escaping to do
        std::array<char, 64> buf{};
        buf[0] = '"';
        std::memcpy(buf.data() + 1, k.data(), k.size());
        buf[k.size() + 1] = '"';
        buf[k.size() + 2] = ':';
        out_.append(buf.data(), k.size() + 3);
    } else {
        append_json_string(out_, k);
        out_ += pretty_ ? ": " : ":";
    }
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    append_json_string(out_, s);
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
    before_value();
    std::array<char, 24> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), n);
    out_.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

}  // namespace hopscope
