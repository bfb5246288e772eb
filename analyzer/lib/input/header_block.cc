#include "input/header_block.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "base/limits.hh"
#include "base/line_end.hh"
#include "input/paste_normaliser.hh"

namespace hopscope {
namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

// The bytes of a word with 'A'-'Z' made lower case, all at once: bit 7 of
// each byte of `upper` is set where the byte is below 0x80 and its low
// seven bits lie in 'A'..'Z' (no sum carries out of its byte).
template <typename Word>
constexpr Word fold_case(Word x) {
    constexpr Word ones = static_cast<Word>(~Word{0}) / 0xff;
    Word low7 = x & static_cast<Word>(0x7f * ones);
    Word above_z = low7 + static_cast<Word>((0x7f - 'Z') * ones);
    Word from_a = low7 + static_cast<Word>((0x80 - 'A') * ones);
    Word upper = from_a & ~above_z & ~x & static_cast<Word>(0x80 * ones);
    return x | (upper >> 2U);
}

// Whether the Word-sized blocks at p and q agree but for case.
template <typename Word>
bool same_block(const char* p, const char* q) {
    Word x;
    Word y;
    std::memcpy(&x, p, sizeof x);
    std::memcpy(&y, q, sizeof y);
    return x == y || fold_case(x) == fold_case(y);
}

// A line that reads as a field but is a key list: a short upper-case key
// ("CIP", "SFV", "BCL") and more keys after semicolons, as Microsoft's
// anti-spam headers write their values.
bool key_list_line(std::string_view line, std::size_t colon) {
    if (colon == 0 || colon > 6 || line.find(';', colon) == std::string_view::npos) return false;
    for (std::size_t i = 0; i < colon; ++i)
        if (line[i] < 'A' || line[i] > 'Z') return false;
    std::string_view key = line.substr(0, colon);
    return key != "TO" && key != "CC" && key != "BCC" && key != "FROM" && key != "DATE";
}

}  // namespace

HeaderBlock split_header_block(std::string_view bytes) {
    HeaderBlock block;
    PasteStart start = find_paste_start(bytes);
    block.input_kind = start.kind;
    block.anomalies = std::move(start.anomalies);

    std::string_view input = bytes;
    if (input.size() > limits::max_header_block_bytes) input = input.substr(0, limits::max_header_block_bytes);

    const char* base = input.data();
    std::size_t pos = start.offset;
    std::size_t lost_indent = 0;
    std::size_t dropped_fields = 0;
    bool ended_by_blank = false;
    HeaderField* current = nullptr;
    const char* value_begin = nullptr;
    block.fields.reserve(40);  // relayed mail carries 30 to 70 fields; spares five regrowths

    LineBreaks breaks(input);
    while (pos < input.size()) {
        std::size_t nl = breaks.next(pos);
        std::size_t end = nl == std::string_view::npos ? input.size() : nl;
        std::size_t next = nl == std::string_view::npos ? input.size() : nl + 1;
        if (end > pos && base[end - 1] == '\r') --end;  // [pos, end) is the line

        std::size_t ind = pos;
#if defined(__SSE2__)
        // Folded lines run to a dozen spaces of indentation: sixteen bytes a test.
        if (pos + 16 <= input.size()) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + pos));
            auto wsp = static_cast<unsigned>(_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')))));
            ind = pos + static_cast<std::size_t>(__builtin_ctz(~wsp));  // bit 16 up is set: at most pos + 16
            if (ind > end) ind = end;
        }
#endif
        while (ind < end && is_wsp(base[ind])) ++ind;
        if (ind == end) {  // blank or white-space-only: end of the header block
            // Unless it is white space alone inside a folded field, the next
            // line indented text that goes on with it (RFC 5322's obsolete
            // folding, section 4.2: "Subject: Re: TEST", " ", "\t=?ISO-2022-JP?B?...?="),
            // as GMime reads it.
            if (end > pos && current != nullptr && start.indent == 0 && next < input.size() && is_wsp(base[next])) {
                std::size_t k = next;
                while (k < input.size() && is_wsp(base[k])) ++k;
                if (k < input.size() && base[k] != '\r' && base[k] != '\n') {
                    current->raw = std::string_view(value_begin, static_cast<std::size_t>(base + end - value_begin));
                    pos = next;
                    continue;
                }
            }
            ended_by_blank = true;
            pos = next;
            break;
        }
        ind -= pos;

        // An indented line is a folded one, unless the paste indents every field.
        std::size_t colon = ind == 0 || ind == start.indent
                                ? field_colon(std::string_view(base + pos + ind, end - pos - ind))
                                : std::string_view::npos;
        // A field whose value starts on the next line (Exchange's
        // "X-Forefront-Antispam-Report:" then "CIP:192.0.2.1;CTRY:US;...")
        // that lost its indentation in a paste: the key list goes on with the
        // field above, not as a field named "CIP".
        if (colon != std::string_view::npos && current != nullptr &&
            key_list_line(std::string_view(base + pos + ind, end - pos - ind), colon) &&
            current->raw.find_first_not_of(" \t\r\n") == std::string_view::npos)
            colon = std::string_view::npos;
        if (colon != std::string_view::npos) {
            std::string_view name(base + pos + ind, colon);
            while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
            if (block.fields.size() < limits::max_header_fields) {
                block.fields.push_back({name, {}});
                current = &block.fields.back();
                value_begin = base + pos + ind + colon + 1;
                current->raw = std::string_view(value_begin, static_cast<std::size_t>(base + end - value_begin));
            } else {
                ++dropped_fields;
                current = nullptr;
            }
        } else if (current != nullptr) {
            if (ind == 0) ++lost_indent;
            current->raw = std::string_view(value_begin, static_cast<std::size_t>(base + end - value_begin));
        }
        pos = next;
    }
    block.end_offset = pos;
    if (ended_by_blank && pos < input.size() && block.input_kind == "header-block") block.input_kind = "message";
    if (lost_indent > 0)
        block.anomalies.push_back(
            {"lost-indentation",
             std::to_string(lost_indent) + " folded line(s) without indentation were joined to the field above"});
    if (dropped_fields > 0)
        block.anomalies.push_back(
            {"field-limit", std::to_string(dropped_fields) + " header field(s) beyond the limit of " +
                                std::to_string(limits::max_header_fields) + " were not analysed"});
    if (bytes.size() > limits::max_header_block_bytes && !ended_by_blank)
        block.anomalies.push_back({"header-block-truncated", "only the first " +
                                                                 std::to_string(limits::max_header_block_bytes) +
                                                                 " bytes of the header block were read"});
    return block;
}

std::string unfold(std::string_view raw) {
    std::string out;
    unfold(raw, out);
    return out;
}

void unfold(std::string_view raw, std::string& out) {
    // Runs between line breaks are copied whole (a To: of a hundred
    // addresses is one fold per line, a byte at a time cost 2 % of audit).
    out.clear();
    out.reserve(raw.size());
    std::size_t i = 0;
    while (i < raw.size()) {
        const void* hit = std::memchr(raw.data() + i, '\n', raw.size() - i);
        std::size_t nl =
            hit == nullptr ? raw.size() : static_cast<std::size_t>(static_cast<const char*>(hit) - raw.data());
        std::size_t end = nl;
        if (nl < raw.size() && end > i && raw[end - 1] == '\r') --end;  // a CR before LF goes with it
        out.append(raw.data() + i, end - i);
        if (nl == raw.size()) break;
        bool next_wsp = nl + 1 < raw.size() && is_wsp(raw[nl + 1]);
        if (!next_wsp) out.push_back(' ');
        i = nl + 1;
    }
}

std::string unfold_collapsed(std::string_view raw) {
    std::string out(raw.size(), '\0');
    char* w = out.data();
    char* const begin = w;
    bool pending_space = false;
    const char* p = raw.data();
    const char* const end = p + raw.size();
    // Leading white space never reaches the output (a value starts with the
    // space after its colon); from `first` on, a value that needs no
    // collapsing is copied byte for byte.
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
    const char* const first = p;
    while (p < end) {
#if defined(__SSE2__)
        // Sixteen bytes of words and single spaces collapse to themselves:
        // copy them whole. A leading space is kept unless it would be the
        // first byte out or follow another; a trailing one becomes pending.
        // A fold, tab or run of spaces in the block: the bytes before it are
        // copied the same way, then the run is skipped.
        if (end - p >= 16) {
            // Thirty-two bytes a step where there are as many, else sixteen:
            // bit j of each mask is byte p[j].
            auto masks = [](const char* at, unsigned& ctl, unsigned& sp) {
                __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
                ctl = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')))));
                sp = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))));
                return v;
            };
            unsigned ctl = 0;
            unsigned sp = 0;
            __m128i v = masks(p, ctl, sp);
            __m128i v2 = v;
            std::size_t width = 16;
            if (end - p >= 32) {
                unsigned ctl2 = 0;
                unsigned sp2 = 0;
                v2 = masks(p + 16, ctl2, sp2);
                ctl |= ctl2 << 16U;
                sp |= sp2 << 16U;
                width = 32;
            }
            // White space to collapse: controls, the first space of a pair, and
            // a leading space that would be the first byte out or follow another.
            unsigned run = ctl | ((sp & (sp >> 1U)));
            if ((sp & 1U) != 0 && (pending_space || w == begin)) run |= 1U;
            std::size_t k = run == 0 ? width : static_cast<std::size_t>(__builtin_ctz(run));
            if (k > 0) {
                if (pending_space) *w++ = ' ';
                // Room: w trails p by at least the bytes collapsed so far, and
                // `width` bytes from p are input.
                _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
                if (k > 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 16), v2);
                pending_space = ((sp >> (k - 1)) & 1U) != 0;
                w += pending_space ? k - 1 : k;
                p += k;
            }
            if (k == width) continue;
            // The run (a fold and its indentation, most often) is skipped
            // sixteen bytes a test too.
            while (end - p >= 16) {
                __m128i u = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
                auto ws = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(u, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(u, _mm_set1_epi8('\t'))),
                    _mm_or_si128(_mm_cmpeq_epi8(u, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(u, _mm_set1_epi8('\n'))))));
                auto skip = static_cast<std::size_t>(__builtin_ctz(~ws));  // bit 16 up is set: at most 16
                p += skip;
                if (skip < 16) break;
            }
            if (end - p < 16)
                while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
            pending_space = w != begin;
            continue;
        }
        // The last few bytes of a value copied as it stands so far: one
        // 16-byte block ending at the end, overlapping what is already out
        // (identical there), when it needs no collapsing and has no space at
        // the end to drop. Most header values end this way.
        if (end - p < 16 && end - first >= 16 && !pending_space && w - begin == p - first) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
            auto ctl = _mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
                _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
            auto sp = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))));
            if (ctl == 0 && (sp & (sp << 1U)) == 0 && (sp & 0x8000U) == 0) {
                _mm_storeu_si128(reinterpret_cast<__m128i*>(w - (p - (end - 16))), v);
                w += end - p;
                break;
            }
        }
        const char* stop = std::min(end, p + 16);
#else
        const char* stop = end;
#endif
        for (; p < stop; ++p) {
            char c = *p;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                pending_space = w != begin;
                continue;
            }
            if (pending_space) *w++ = ' ';
            pending_space = false;
            *w++ = c;
        }
    }
    out.resize(static_cast<std::size_t>(w - begin));
    return out;
}

bool iequals_same_length(const char* p, const char* q, std::size_t n) {
    // Eight bytes a step (four for a short text), the last step overlapping
    // the one before.
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

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    if (needle.size() > hay.size()) return false;
    const std::size_t last = hay.size() - needle.size();  // the last place it can start
    auto rest_at = [&](std::size_t i) { return iequals(hay.substr(i + 1, needle.size() - 1), needle.substr(1)); };
    auto c = static_cast<unsigned char>(needle[0]);
    // A letter's two cases differ in bit 0x20 alone, and no other byte
    // matches either with that bit set: one test finds both.
    const bool letter = (c | 0x20U) >= 'a' && (c | 0x20U) <= 'z';
    const auto fold = static_cast<char>(letter ? 0x20 : 0);
    const auto first = static_cast<char>(letter ? c | 0x20U : c);
    std::size_t i = 0;
#if defined(__SSE2__)
    // The first byte decides most places: sixteen of them a test.
    const __m128i want = _mm_set1_epi8(first);
    const __m128i bit = _mm_set1_epi8(fold);
    for (; i + 16 <= last + 1; i += 16) {
        __m128i v = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + i)), bit);
        for (auto m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, want))); m != 0; m &= m - 1)
            if (rest_at(i + static_cast<std::size_t>(__builtin_ctz(m)))) return true;
    }
#endif
    for (; i <= last; ++i)
        if (static_cast<char>(hay[i] | fold) == first && rest_at(i)) return true;
    return false;
}

}  // namespace hopscope
