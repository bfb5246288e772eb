#include "input/paste_normaliser.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>

#include "base/limits.hh"
#include "base/line_end.hh"
#include "input/header_block.hh"

namespace hopscope {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
// Preamble lines skipped before giving up on finding a first field.
constexpr std::size_t kMaxPreambleLines = 40;

constexpr bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}
constexpr bool is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

struct Line {
    std::string_view text;  // without the line break
    std::size_t next = 0;   // offset of the following line
};

Line line_at(std::string_view bytes, std::size_t pos) {
    std::size_t nl = find_line_end(bytes, pos);
    std::size_t end = nl == std::string_view::npos ? bytes.size() : nl;
    std::size_t next = nl == std::string_view::npos ? bytes.size() : nl + 1;
    std::string_view text = bytes.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return {text, next};
}

bool is_blank(std::string_view line) {
    return std::ranges::all_of(line, [](char c) { return is_wsp(c) || c == '\r'; });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_wsp(s.front()) || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (is_wsp(s.back()) || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::size_t indent_of(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && is_wsp(line[n])) ++n;
    return n;
}

// The labels of the summary table Gmail puts above the original message.
bool is_gmail_summary_line(std::string_view line) {
    static constexpr std::array<std::string_view, 12> labels = {
        "Original Message", "Message ID",        "Created at:",       "From:\t", "To:\t", "Subject:\t", "SPF:", "DKIM:",
        "DMARC:",           "Download Original", "Copy to clipboard", "CC:\t"};
    return std::ranges::any_of(labels, [&](std::string_view label) { return line.starts_with(label); });
}

}  // namespace

bool is_field_start(std::string_view line) {
    return field_colon(line) != std::string_view::npos;
}

std::size_t field_colon(std::string_view line) {
    constexpr std::size_t no = std::string_view::npos;
    // Characters of a field name after the first: letters, digits, "-_.".
    // A table, since every line of every header block comes through here.
    static constexpr std::array<bool, 256> kNameChar = [] {
        std::array<bool, 256> t{};
        for (int c = 0; c < 256; ++c)
            t[static_cast<std::size_t>(c)] =
                is_alpha(static_cast<char>(c)) || is_digit(static_cast<char>(c)) || c == '-' || c == '_' || c == '.';
        return t;
    }();
    if (line.empty() || !is_alpha(line[0])) return no;
    std::size_t i = 1;
#if defined(__SSE2__)
    // Names run to 40 characters and more (X-MS-Exchange-...): sixteen a test.
    const __m128i fold = _mm_set1_epi8(0x20);
    auto in = [](__m128i v, char lo, char hi) {  // lo <= v <= hi, for ASCII bounds (bytes from 0x80 are negative)
        return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                             _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    for (; i + 16 <= line.size(); i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + i));
        __m128i name = _mm_or_si128(in(_mm_or_si128(v, fold), 'a', 'z'), in(v, '-', '9'));  // "-./0-9"
        name = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), name);
        name = _mm_or_si128(name, _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
        auto stop = ~static_cast<unsigned>(_mm_movemask_epi8(name)) & 0xFFFFU;
        if (stop != 0) {
            i += static_cast<std::size_t>(__builtin_ctz(stop));
            break;
        }
    }
#endif
    while (i < line.size() && kNameChar[static_cast<unsigned char>(line[i])]) ++i;
    while (i < line.size() && is_wsp(line[i])) ++i;
    if (i >= line.size() || line[i] != ':') return no;
    return line.substr(i + 1, 2) != "//" ? i : no;
}

PasteStart find_paste_start(std::string_view bytes) {
    PasteStart start;
    start.kind = "header-block";
    std::size_t pos = 0;
    if (bytes.substr(0, kBom.size()) == kBom) pos = kBom.size();

    auto skip_blank = [&] {
        while (pos < bytes.size()) {
            Line l = line_at(bytes, pos);
            if (!is_blank(l.text)) break;
            pos = l.next;
        }
    };
    skip_blank();

    Line first = line_at(bytes, pos);
    if (first.text.substr(0, 5) == "From ") {
        start.kind = "mbox-message";
        pos = first.next;
        // A message with its own BOM, stored after the separator as it was.
        if (bytes.substr(pos, kBom.size()) == kBom) pos += kBom.size();
    } else if (trim(first.text) == "Original Message") {
        // Gmail's "Show original": skip the summary up to the "Download
        // Original" bar; without the bar, skip what looks like the summary.
        start.kind = "gmail-original";
        std::size_t scan = first.next;
        std::size_t after_summary = first.next;
        for (std::size_t n = 0; n < kMaxPreambleLines && scan < bytes.size(); ++n) {
            Line l = line_at(bytes, scan);
            if (l.text.substr(0, 17) == "Download Original") {
                after_summary = l.next;
                break;
            }
            if (is_blank(l.text) || is_gmail_summary_line(l.text))
                after_summary = l.next;
            else if (is_field_start(l.text) && l.text.find('\t') == std::string_view::npos)
                break;
            scan = l.next;
        }
        pos = after_summary;
        skip_blank();
    }

    // Anything that is not a field start before the first field is preamble.
    std::size_t preamble_lines = 0;
    std::size_t scan = pos;
    for (; scan < bytes.size() && preamble_lines <= kMaxPreambleLines;) {
        Line l = line_at(bytes, scan);
        std::size_t ind = indent_of(l.text);
        if (is_field_start(l.text.substr(ind))) {
            start.indent = ind;
            break;
        }
        if (!is_blank(l.text)) ++preamble_lines;
        scan = l.next;
    }
    if (preamble_lines > kMaxPreambleLines || scan >= bytes.size()) {
        start.offset = pos;  // nothing header-like; the splitter will find no field
        return start;
    }
    if (preamble_lines > 0)
        start.anomalies.push_back({"skipped-preamble", std::to_string(preamble_lines) +
                                                           " line(s) before the first header field were skipped"});
    start.offset = scan;
    return start;
}

std::optional<RepairedPaste> repair_paste_lines(std::string_view bytes) {
    // Lines ended by CR alone: no LF in the whole text, CRs between lines.
    if (bytes.find('\n') == std::string_view::npos) {
        if (std::ranges::count(bytes, '\r') < 2) return std::nullopt;
        RepairedPaste r{std::string(bytes), {"cr-line-ends", ""}};
        std::ranges::replace(r.text, '\r', '\n');
        std::size_t lines = static_cast<std::size_t>(std::ranges::count(r.text, '\n'));
        r.anomaly.detail = "the text's " + std::to_string(lines) +
                           " line(s) end with CR alone (classic Mac OS line ends): read as lines";
        return r;
    }
    // A blank line after every line. Mail never has one among its first
    // lines: a look at the first four settles nearly every message.
    std::size_t pos = 0;
    if (bytes.substr(0, kBom.size()) == kBom) pos = kBom.size();
    bool blank_seen = false;
    for (std::size_t n = 0, p = pos; n < 8 && p < bytes.size(); ++n) {
        Line l = line_at(bytes, p);
        if (is_blank(l.text) && n > 0) {
            blank_seen = true;
            break;
        }
        p = l.next;
    }
    if (!blank_seen) return std::nullopt;
    PasteStart start = find_paste_start(bytes);
    std::size_t fields = 0;
    bool received = false;
    std::size_t p = start.offset;
    for (int pair = 0; pair < 4; ++pair) {
        if (p >= bytes.size()) return std::nullopt;
        Line l = line_at(bytes, p);
        if (is_blank(l.text)) return std::nullopt;
        const std::string_view text = l.text.substr(indent_of(l.text));
        const bool field = is_field_start(text);
        if (pair == 0 && !field) return std::nullopt;
        fields += field ? 1 : 0;
        received = received || (field && istarts_with(text, "Received:"));
        if (l.next >= bytes.size()) return std::nullopt;
        Line gap = line_at(bytes, l.next);
        if (!is_blank(gap.text)) return std::nullopt;
        p = gap.next;
        if (p < bytes.size() && is_blank(line_at(bytes, p).text) && pair < 3) return std::nullopt;
    }
    // Two fields, one a Received stamp: a header pasted for its route, not a
    // short header over a body of one-line paragraphs (and a quoted From:).
    if (fields < 2 || !received) return std::nullopt;
    // Every line kept, the one blank line after it dropped: an empty line of
    // the text (the end of the header) comes back as one.
    RepairedPaste r{std::string(bytes.substr(0, start.offset)), {"double-spaced", ""}};
    r.text.reserve(bytes.size());
    std::size_t dropped = 0;
    for (p = start.offset; p < bytes.size();) {
        Line l = line_at(bytes, p);
        r.text.append(bytes.substr(p, l.next - p));
        p = l.next;
        if (p < bytes.size()) {
            Line gap = line_at(bytes, p);
            if (is_blank(gap.text)) {
                p = gap.next;
                ++dropped;
            }
        }
    }
    r.anomaly.detail =
        "the paste has a blank line after every line (as ticket systems and some web pages copy "
        "text): " +
        std::to_string(dropped) + " such blank line(s) were taken out";
    return r;
}

}  // namespace hopscope
