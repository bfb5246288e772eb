// The one header splitter that trace and audit share: a bounded,
// allocation-light scanner that turns the bytes of a message, a header paste
// or one mbox entry into (name, raw value) pairs. The paste normaliser runs
// first (see paste_normaliser.hh) and tells it where the fields start.
#pragma once

#include <cstddef>
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
// The same into `out` (replaced): a buffer reused for text that is only read.
void unfold(std::string_view raw, std::string& out);

// Unfold, then collapse runs of white space to one space and trim.
std::string unfold_collapsed(std::string_view raw);

// The rest of iequals below, for texts of one length n >= 1 whose first
// bytes may agree but for case (header_block.cc).
bool iequals_same_length(const char* p, const char* q, std::size_t n);

// Case-insensitive ASCII comparison for header names and keywords ('A'-'Z'
// only; other bytes compare as they are). Inline, it sits in every
// header-name and keyword test: texts of another length, and those whose
// first bytes differ by more than case, are turned away here. Always
// inlined: g++ otherwise calls one out-of-line copy from the large parsers,
// and the call costs more than the test.
[[gnu::always_inline]] inline bool iequals(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    if (n == 0) return true;
    if (((a[0] ^ b[0]) & ~0x20) != 0) return false;
    return iequals_same_length(a.data(), b.data(), n);
}

// True when `s` starts with `prefix`, case-insensitive as iequals.
inline bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// True when `s` ends with `suffix`, case-insensitive as iequals.
inline bool iends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// `s` without the white space (space, tab, CR, LF) at either end.
inline std::string_view trim_wsp(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Case-insensitive substring test, for the few short needles that say what
// a message is (report types, a bounce's sender or subject).
bool icontains(std::string_view hay, std::string_view needle);

}  // namespace hopscope
