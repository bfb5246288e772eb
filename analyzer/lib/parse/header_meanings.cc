#include "parse/header_meanings.hh"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>

#include "input/header_block.hh"

namespace hopscope {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> cells(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        auto bar = line.find('|');
        out.push_back(trim(line.substr(0, bar)));
        if (bar == std::string_view::npos) break;
        line.remove_prefix(bar + 1);
    }
    return out;
}

// The last eight bytes of a name (a shorter name's all, zeros before) with
// bit 0x20 set in each: names equal ignoring case have the same, so a
// different one rules a name out in one compare.
std::uint64_t folded_tail(std::string_view s) {
    std::uint64_t v = 0;
    if (s.size() >= 8)
        std::memcpy(&v, s.data() + s.size() - 8, 8);
    else
        for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
    return v | 0x2020202020202020ULL;
}

struct NameEntry {
    std::uint64_t tail = 0;  // folded_tail of the name
    const HeaderInfo* header = nullptr;
};

struct KeyRows {
    std::string_view key;
    const FieldMeaning* general = nullptr;
    std::vector<const FieldMeaning*> values;
    std::size_t documented_values = 0;
};

struct Table {
    std::deque<MeaningSource> sources;  // a deque: rows point at its elements
    std::deque<HeaderInfo> headers;
    std::deque<FieldMeaning> rows;
    std::vector<std::vector<KeyRows>> keys;  // per header, in table order
    std::vector<const KeyRows*> any;         // per header, its "*" key's rows (null when none)
    // Headers by the length of their name: a message's fields are looked
    // up by the few of their length (most fields have a length none has).
    std::array<std::vector<NameEntry>, 64> by_length;
    std::vector<std::string> problems;
};

bool parse_status(std::string_view s, MeaningStatus& out) {
    if (s == "doc")
        out = MeaningStatus::documented;
    else if (s == "undoc")
        out = MeaningStatus::undocumented;
    else if (s == "obs")
        out = MeaningStatus::observed;
    else
        return false;
    return true;
}

const Table& table() {
    static const Table t = [] {
        Table t;
        // What reports copy as it is (JSON without escaping): printable ASCII,
        // no quote or backslash.
        auto plain = [](std::string_view x) {
            return std::ranges::all_of(x, [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
        };
        std::vector<std::vector<std::string_view>> lines;
        std::string_view text = header_meanings_text();
        std::size_t number = 0;
        std::vector<std::size_t> numbers;
        while (!text.empty()) {
            auto nl = text.find('\n');
            std::string_view line = trim(text.substr(0, nl));
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
            ++number;
            if (line.empty() || line.front() == '#') continue;
            lines.push_back(cells(line));
            numbers.push_back(number);
        }
        auto problem = [&](std::size_t i, const std::string& what) {
            t.problems.push_back("line " + std::to_string(numbers[i]) + ": " + what);
        };
        auto source_of = [&](std::size_t i, std::string_view id) -> const MeaningSource* {
            if (id == "-") return nullptr;
            for (const auto& s : t.sources)
                if (s.id == id) return &s;
            problem(i, "unknown source " + std::string(id));
            return nullptr;
        };
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto& c = lines[i];
            if (c[0] != "source") continue;
            if (c.size() != 4 || !c[2].starts_with("https://")) {
                problem(i, "a source takes ID | https URL | TITLE");
                continue;
            }
            t.sources.push_back({c[1], c[2], c[3]});
        }
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto& c = lines[i];
            if (c[0] != "header") continue;
            HeaderInfo h;
            if (c.size() != 6 || !parse_status(c[3], h.status)) {
                problem(i, "a header takes NAME | VENDOR | STATUS | WHAT IT IS | SOURCE");
                continue;
            }
            h.name = c[1];
            h.vendor = c[2] == "-" ? std::string_view() : c[2];
            h.about = c[4];
            h.source = source_of(i, c[5]);
            h.rank = t.headers.size();
            t.headers.push_back(h);
        }
        for (const auto& h : t.headers)
            if (!plain(h.name) || !plain(h.vendor) || !plain(h.about))
                t.problems.push_back("header " + std::string(h.name) + ": not plain ASCII text");
        for (const auto& src : t.sources)
            if (!plain(src.url)) t.problems.push_back("source " + std::string(src.id) + ": not a plain URL");
        t.keys.resize(t.headers.size());
        for (const auto& h : t.headers)
            if (h.name.size() < t.by_length.size()) t.by_length[h.name.size()].push_back({folded_tail(h.name), &h});
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto& c = lines[i];
            if (c[0] == "source" || c[0] == "header") continue;
            FieldMeaning f;
            if (c[0] != "field" || c.size() != 7 || !parse_status(c[4], f.status)) {
                problem(i, "a field takes HEADER | KEY | VALUE | STATUS | MEANING | SOURCE");
                continue;
            }
            auto h =
                std::find_if(t.headers.begin(), t.headers.end(), [&](const HeaderInfo& x) { return x.name == c[1]; });
            if (h == t.headers.end()) {
                problem(i, "a field of no header " + std::string(c[1]));
                continue;
            }
            f.key = c[2];
            f.value = c[3];
            f.text = c[5];
            f.source = source_of(i, c[6]);
            if (!plain(f.key) || !plain(f.value) || !plain(f.text)) problem(i, "not plain ASCII text");
            f.index = t.rows.size();
            const FieldMeaning* row = &t.rows.emplace_back(f);
            auto& keys = t.keys[h->rank];
            auto k = std::find_if(keys.begin(), keys.end(), [&](const KeyRows& r) { return iequals(r.key, f.key); });
            if (k == keys.end()) k = keys.insert(keys.end(), KeyRows{f.key, nullptr, {}});
            if (f.value.empty()) {
                if (k->general != nullptr) problem(i, "a second meaning for " + std::string(f.key));
                k->general = row;
            } else {
                k->values.push_back(row);
                if (row->status == MeaningStatus::documented) ++k->documented_values;
            }
        }
        for (const auto& keys : t.keys) {
            auto star = std::ranges::find(keys, std::string_view("*"), &KeyRows::key);
            t.any.push_back(star != keys.end() ? &*star : nullptr);
        }
        return t;
    }();
    return t;
}

std::optional<long> to_long(std::string_view s) {
    long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// "5-6" holds 5 and 6; "-1" is an exact value, matched before.
bool in_range(std::string_view range, std::string_view value) {
    auto dash = range.find('-', 1);
    if (dash == std::string_view::npos) return false;
    auto lo = to_long(range.substr(0, dash));
    auto hi = to_long(range.substr(dash + 1));
    auto v = to_long(value);
    return lo && hi && v && *lo <= *v && *v <= *hi;
}

// "1xx" holds 100 to 199.
bool fits_pattern(std::string_view pattern, std::string_view value) {
    if (pattern.size() != value.size() || pattern.find('x') == std::string_view::npos) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        bool digit = value[i] >= '0' && value[i] <= '9';
        if (!digit || (pattern[i] != 'x' && pattern[i] != value[i])) return false;
    }
    return true;
}

}  // namespace

std::string_view status_name(MeaningStatus s) {
    switch (s) {
        case MeaningStatus::documented:
            return "documented";
        case MeaningStatus::undocumented:
            return "undocumented";
        case MeaningStatus::observed:
            return "observed";
    }
    return "undocumented";
}

const HeaderInfo* header_info(std::string_view name) {
    const auto& t = table();
    if (name.size() >= t.by_length.size()) return nullptr;
    if (name.empty()) return nullptr;
    const auto& bucket = t.by_length[name.size()];
    if (bucket.empty()) return nullptr;
    // Names of one length often share a long prefix (X-MS-Exchange-...):
    // their last bytes tell most apart before a whole comparison, and a
    // name is mostly written in the table's casing.
    std::uint64_t tail = folded_tail(name);
    for (const NameEntry& e : bucket)
        if (e.tail == tail && (e.header->name == name || iequals(e.header->name, name))) return e.header;
    return nullptr;
}

const HeaderInfo* header_by_rank(std::size_t rank) {
    const auto& headers = table().headers;
    return rank < headers.size() ? &headers[rank] : nullptr;
}

const FieldMeaning* field_meaning_row(std::size_t index) {
    const auto& rows = table().rows;
    return index < rows.size() ? &rows[index] : nullptr;
}

FieldLookup field_meaning(const HeaderInfo& header, std::string_view key, std::string_view value) {
    FieldLookup out;
    const Table& t = table();
    const auto& keys = t.keys[header.rank];
    // A key has one entry (the table's rows of a key, ignoring case, are
    // gathered in one).
    const KeyRows* rows = nullptr;
    for (const auto& k : keys)
        if (iequals(k.key, key)) {
            rows = &k;
            break;
        }
    if (rows == nullptr) {
        if (const KeyRows* any = t.any[header.rank]; any != nullptr) out.key = any->general;
        return out;
    }
    out.key = rows->general;
    out.enumerated = rows->documented_values >= 2;
    if (value.empty()) return out;
    for (const FieldMeaning* v : rows->values)
        if (iequals(v->value, value)) {
            out.value = v;
            return out;
        }
    for (const FieldMeaning* v : rows->values)
        if (in_range(v->value, value)) {
            out.value = v;
            return out;
        }
    for (const FieldMeaning* v : rows->values)
        if (fits_pattern(v->value, value)) {
            out.value = v;
            return out;
        }
    return out;
}

std::vector<std::string> header_meanings_problems() {
    return table().problems;
}

}  // namespace hopscope
