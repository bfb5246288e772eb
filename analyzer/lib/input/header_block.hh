// The one header splitter that trace and audit share: a bounded,
// allocation-light scanner that turns the bytes of a message, a header paste
// or one mbox entry into (name, raw value) pairs. The paste normaliser runs
// first (see paste_normaliser.hh) and tells it where the fields start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/anomaly.hh"

namespace hopscope {

struct HeaderField {
    std::string_view name;
    std::string_view raw;  // after the colon, folds and all; a view into the input
};

// Header fields that classification and the security section read, kept as
// unfolded text (name as written, value).
struct SignalHeader {
    std::string name;
    std::string value;
    bool operator==(const SignalHeader&) const = default;
};

struct HeaderBlock {
    std::vector<HeaderField> fields;
    std::string input_kind;  // message | header-block | gmail-original | mbox-message
    std::vector<Anomaly> anomalies;
    std::size_t end_offset = 0;  // where the header block ended in the input
};

// Splits `bytes` (which must outlive the result) into header fields.
HeaderBlock split_header_block(std::string_view bytes);

// RFC 5322 unfolding: line breaks vanish; a line that lost its indentation
// is joined with one space, as the paste meant it.
std::string unfold(std::string_view raw);

// Unfold, then collapse runs of white space to one space and trim.
std::string unfold_collapsed(std::string_view raw);

namespace iequals_detail {

// The bytes of a word with 'A'-'Z' made lower case, all at once: bit 7 of
// each byte of `upper` is set where the byte is below 0x80 and its low
// seven bits lie in 'A'..'Z' (no sum carries out of its byte).
template <typename Word>
constexpr Word fold(Word x) {
    constexpr Word ones = static_cast<Word>(~Word{0}) / 0xff;
    Word low7 = x & static_cast<Word>(0x7f * ones);
    Word above_z = low7 + static_cast<Word>((0x7f - 'Z') * ones);
    Word from_a = low7 + static_cast<Word>((0x80 - 'A') * ones);
    Word upper = from_a & ~above_z & ~x & static_cast<Word>(0x80 * ones);
    return x | (upper >> 2U);
}

template <typename Word>
inline Word load(const char* p) {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// Whether the Word-sized blocks at p and q agree but for case.
template <typename Word>
inline bool same_block(const char* p, const char* q) {
    Word x = load<Word>(p);
    Word y = load<Word>(q);
    return x == y || fold(x) == fold(y);
}

}  // namespace iequals_detail

// Case-insensitive ASCII comparison for header names and keywords ('A'-'Z'
// only; other bytes compare as they are). Inline: it sits in every
// header-name and keyword test. Eight bytes a step (four for a short text),
// the last step overlapping the one before.
inline bool iequals(std::string_view a, std::string_view b) {
    using iequals_detail::same_block;
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    // Most texts of one length differ at once, and by more than case.
    if (n >= 4 && ((p[0] ^ q[0]) & ~0x20) != 0) return false;
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (!same_block<std::uint64_t>(p + i, q + i)) return false;
        return same_block<std::uint64_t>(p + n - 8, q + n - 8);
    }
    if (n >= 4) return same_block<std::uint32_t>(p, q) && same_block<std::uint32_t>(p + n - 4, q + n - 4);
    for (std::size_t i = 0; i < n; ++i) {
        char x = p[i];
        char y = q[i];
        if (x == y) continue;
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// Case-insensitive substring test, for the few short needles that say what
// a message is (report types, a bounce's sender or subject).
inline bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    const char first = lower(needle[0]);
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)  // the first byte decides most places
        if (lower(hay[i]) == first && iequals(hay.substr(i + 1, needle.size() - 1), needle.substr(1))) return true;
    return false;
}

}  // namespace hopscope
