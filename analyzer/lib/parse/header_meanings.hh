// What the security and anti-spam header fields mean, with the page each
// meaning comes from: the table analyzer/data/header-meanings.txt, compiled
// in and read once. Every writer of the security section takes its labels
// (in the vendor's casing), meanings and sources from here. Lookups never
// allocate: rows are views of the compiled-in text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

enum class MeaningStatus : std::uint8_t {
    documented,    // the vendor documents it, at the source
    undocumented,  // the vendor does not document it: no meaning is given
    observed,      // not documented by the vendor; what messages show, as the source records
};

// "documented", "undocumented", "observed".
std::string_view status_name(MeaningStatus s);

struct MeaningSource {
    std::string_view id;     // "HDRS"
    std::string_view url;    // https://...
    std::string_view title;  // Microsoft Learn, "Anti-spam message headers"
};

struct HeaderInfo {
    std::string_view name;    // the vendor's casing
    std::string_view vendor;  // "Microsoft 365", "SpamAssassin", ... or empty for a standard field
    MeaningStatus status = MeaningStatus::documented;
    std::string_view about;  // what the header is
    const MeaningSource* source = nullptr;
    std::size_t rank = 0;  // its place in the table: the order reports show headers in
};

struct FieldMeaning {
    std::string_view key;    // the vendor's casing; "=" a one-value header's value; "*" any other key
    std::string_view value;  // empty: the key's own meaning
    MeaningStatus status = MeaningStatus::documented;
    std::string_view text;
    const MeaningSource* source = nullptr;
    std::size_t index = 0;  // its place among the table's rows (field_meaning_row)
};

// The rows for one key and one value: the value's own row when the table
// has one, and the key's row (the "*" row for a key the table does not
// name). Either may be null.
struct FieldLookup {
    const FieldMeaning* key = nullptr;
    const FieldMeaning* value = nullptr;
    // The vendor documents a list of this key's values (two or more): a value
    // without a row is then one it does not describe.
    bool enumerated = false;
    [[nodiscard]] const FieldMeaning* best() const { return value != nullptr ? value : key; }
};

// The header's row, found ignoring case; null when the table has none.
const HeaderInfo* header_info(std::string_view name);

// The header of that rank (its place in the table), or null past the last.
const HeaderInfo* header_by_rank(std::size_t rank);

// The row of that index (its place among the field rows), or null past the
// last: for a writer that prepares its text for each row once.
const FieldMeaning* field_meaning_row(std::size_t index);

// The rows for `key` and `value` of a header's field (both compared
// ignoring case; a value also against ranges "5-6" and patterns "1xx").
FieldLookup field_meaning(const HeaderInfo& header, std::string_view key, std::string_view value);

// The table's text (analyzer/data/header-meanings.txt).
std::string_view header_meanings_text();

// What is wrong with the table (an unknown source, a field of no header,
// a bad status, a malformed line, text that is not plain printable ASCII
// without '"' or '\\', which reports copy unescaped); empty when nothing
// is. For tests.
std::vector<std::string> header_meanings_problems();

}  // namespace hopscope
