#include "input/mbox_splitter.hh"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <strings.h>
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "base/line_end.hh"
#include "input/header_block.hh"

namespace hopscope {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view line_at(std::string_view data, std::size_t pos, std::size_t* next = nullptr) {
    std::size_t nl = find_line_end(data, pos);
    std::size_t end = nl == std::string_view::npos ? data.size() : nl;
    if (next != nullptr) *next = nl == std::string_view::npos ? data.size() : nl + 1;
    std::string_view l = data.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
}

bool is_space(char c) {
    return c == ' ' || c == '\t';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The next word after the one `s` starts with, as mutt's next_word().
std::string_view next_word(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && !is_space(s[i])) ++i;
    while (i < s.size() && is_space(s[i])) ++i;
    return s.substr(i);
}

// Every separator asks for a day and a month name: iequals, inline, turns
// most names away at their first byte (a call to strncasecmp per name cost
// more than the rest of the line).
bool starts_with_name(std::string_view s, std::string_view names) {
    if (s.size() < 4 || !is_space(s[3])) return false;  // "Wed " but not "Wednesday" or "Wed,"
    for (std::size_t i = 0; i + 3 <= names.size(); i += 3)
        if (iequals(s.substr(0, 3), names.substr(i, 3))) return true;
    return false;
}
bool is_day_name(std::string_view s) {
    return starts_with_name(s, "SunMonTueWedThuFriSat");
}
bool is_month_name(std::string_view s) {
    return starts_with_name(s, "JanFebMarAprMayJunJulAugSepOctNovDec");
}

// A number of 1-`max` digits ending at a space, a ':' or the end; returns
// what follows it, or nullopt.
std::optional<std::string_view> digits(std::string_view s, std::size_t max) {
    std::size_t i = 0;
    while (i < s.size() && i < max && is_digit(s[i])) ++i;
    if (i == 0 || (i < s.size() && !is_space(s[i]) && s[i] != ':')) return std::nullopt;
    return s.substr(i);
}

// The asctime() date of a separator as mutt's is_from() reads it:
// "Day Mon DD HH:MM[:SS] [ZONE [ZONE]] YYYY".
bool is_separator_date(std::string_view s) {
    if (!is_day_name(s)) return false;
    s = next_word(s);
    if (is_day_name(s)) s = next_word(s);  // a sender whose login is a day name
    if (!is_month_name(s)) return false;
    s = next_word(s);
    if (!digits(s, 2)) return false;
    s = next_word(s);
    auto t = digits(s, 2);  // HH:MM or HH:MM:SS
    if (!t || t->empty() || t->front() != ':') return false;
    t = digits(t->substr(1), 2);
    if (!t) return false;
    if (!t->empty() && t->front() == ':' && !digits(t->substr(1), 2)) return false;
    s = next_word(s);
    for (int zones = 0; zones < 2 && !s.empty() && (is_alpha(s[0]) || s[0] == '+' || s[0] == '-'); ++zones)
        s = next_word(s);
    return digits(s, 4).has_value();
}

// The first line start at or after `p` (which follows a '\n') that the
// header walk below has to look at: one that may be a separator ('F'), a
// Content-Length ('C' or 'c') or the blank line ('\n', '\r'). The line
// breaks are found 32 bytes a step and only the byte after each is looked
// at; data.size() when no such line is left.
constexpr std::array<bool, 256> kHeaderWalkByte = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : {'F', 'C', 'c', '\n', '\r'}) t[c] = true;
    return t;
}();

std::size_t next_header_line(std::string_view data, std::size_t p) {
    const char* base = data.data();
    std::size_t n = data.size();
    std::size_t i = p - 1;  // the '\n' before p
    auto wanted = [&](std::size_t at) {
        return at + 1 < n && kHeaderWalkByte[static_cast<unsigned char>(base[at + 1])];
    };
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    for (; i + 32 <= n; i += 32) {
        auto lo = static_cast<std::uint32_t>(
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i)), nl)));
        auto hi = static_cast<std::uint32_t>(
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 16)), nl)));
        for (std::uint32_t mask = lo | (hi << 16U); mask != 0; mask &= mask - 1) {
            std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(mask));
            if (wanted(at)) return at + 1;
        }
    }
#endif
    for (; i < n; ++i)
        if (base[i] == '\n' && wanted(i)) return i + 1;
    return n;
}

}  // namespace

bool is_from_line(std::string_view line) {
    if (line.substr(0, 5) != "From ") return false;
    std::string_view s = line.substr(5);
    if (s.empty() || is_space(s[0])) return false;
    if (is_separator_date(s)) return true;  // no sender at all, as mutt allows
    // The sender: a word, or a quoted local part with spaces in it.
    std::size_t i = 0;
    bool quoted = false;
    for (; i < s.size() && (quoted || !is_space(s[i])); ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            quoted = !quoted;
    }
    if (quoted || i > s.size()) return false;  // unclosed quote, or a '\\' at the end
    std::string_view rest = s.substr(i);
    // Nothing after the sender: Netscape's "From - " and Google Takeout's "From 123@xxx".
    if (rest.find_first_not_of(" \t") == std::string_view::npos) return true;
    rest.remove_prefix(rest.find_first_not_of(" \t"));
    // Pipermail archives write "From me at example.org  Wed ...".
    if (rest.substr(0, 3) == "at " && !is_separator_date(rest)) rest = next_word(next_word(rest));
    return is_separator_date(rest);
}

bool looks_like_mbox(std::string_view bytes) {
    std::size_t pos = bytes.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
    std::size_t next = 0;
    std::string_view l = line_at(bytes, pos, &next);
    return is_from_line(l);
}

#if defined(__x86_64__)
namespace {
// 64 positions a step, one test for all: 23 GB/s against SSE2's 10 GB/s on
// the bench mbox, where this scan is most of the main thread's work.
// Returns a hit, or where the SSE2 search is to go on.
__attribute__((target("avx2"))) std::size_t find_line_start_avx2(std::string_view data, std::size_t i, bool& hit) {
    const char* base = data.data();
    std::size_t n = data.size();
    const __m256i nl = _mm256_set1_epi8('\n');
    const __m256i f = _mm256_set1_epi8('F');
    while (i + 65 <= n) {
        // Byte k is set where position i+k is '\n' and i+k+1 is 'F'.
        const auto* p = reinterpret_cast<const __m256i*>(base + i);
        const auto* q = reinterpret_cast<const __m256i*>(base + i + 1);
        __m256i low =
            _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_loadu_si256(p), nl), _mm256_cmpeq_epi8(_mm256_loadu_si256(q), f));
        __m256i high =
            _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_loadu_si256(p + 1), nl),
                             _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + i + 33)), f));
        __m256i any = _mm256_or_si256(low, high);
        if (_mm256_testz_si256(any, any) == 0) {
            std::uint64_t mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(low)) |
                                 (std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(high))} << 32U);
            while (mask != 0) {
                std::size_t at = i + static_cast<std::size_t>(__builtin_ctzll(mask));
                if (at + 6 <= n && std::memcmp(base + at + 1, "From ", 5) == 0) {
                    hit = true;
                    return at;
                }
                mask &= mask - 1;
            }
        }
        i += 64;
    }
    return i;
}

// The same with AVX-512BW: one compare of 64 bytes into a mask, the next
// compare only where that mask is set. 14.5 GB/s against AVX2's 9 GB/s on
// the bench's body-heavy mbox, about the machine's 16 GB/s of plain reads.
__attribute__((target("avx512bw"))) std::size_t find_line_start_avx512(std::string_view data, std::size_t i,
                                                                       bool& hit) {
    const char* base = data.data();
    std::size_t n = data.size();
    const __m512i nl = _mm512_set1_epi8('\n');
    const __m512i f = _mm512_set1_epi8('F');
    while (i + 65 <= n) {
        __mmask64 breaks = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(base + i), nl);
        std::uint64_t mask = _mm512_mask_cmpeq_epi8_mask(breaks, _mm512_loadu_si512(base + i + 1), f);
        for (; mask != 0; mask &= mask - 1) {
            std::size_t at = i + static_cast<std::size_t>(__builtin_ctzll(mask));
            if (at + 6 <= n && std::memcmp(base + at + 1, "From ", 5) == 0) {
                hit = true;
                return at;
            }
        }
        i += 64;
    }
    return i;
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2") != 0;
const bool kHasAvx512 = __builtin_cpu_supports("avx512bw") != 0;

bool allowed(Simd want, Simd level) {
    return static_cast<int>(want) <= static_cast<int>(level);
}
}  // namespace
#endif

std::size_t find_line_start_from(std::string_view data, std::size_t from, Simd level) {
#if defined(__x86_64__)
    if (kHasAvx512 && allowed(Simd::avx512, level)) {
        bool hit = false;
        std::size_t at = find_line_start_avx512(data, from, hit);
        if (hit) return at;
        from = at;
    } else if (kHasAvx2 && allowed(Simd::avx2, level)) {
        bool hit = false;
        std::size_t at = find_line_start_avx2(data, from, hit);
        if (hit) return at;
        from = at;
    }
#else
    (void)level;
#endif
    return find_line_start_from_sse2(data, from);
}

std::size_t find_line_start_from_sse2(std::string_view data, std::size_t from) {
    // Bodies are most of an mbox and full of line breaks (base64 every 77
    // bytes), so neither memchr('\n') nor memmem pays: look for a line break
    // followed by 'F' sixteen positions at a time, then check "rom ".
    const char* base = data.data();
    std::size_t n = data.size();
    std::size_t i = from;
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i f = _mm_set1_epi8('F');
    while (i + 17 <= n) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 1));
        auto mask =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, nl), _mm_cmpeq_epi8(b, f))));
        while (mask != 0) {
            auto bit = static_cast<std::size_t>(__builtin_ctz(mask));
            std::size_t at = i + bit;
            if (at + 6 <= n && std::memcmp(base + at + 1, "From ", 5) == 0) return at;
            mask &= mask - 1;
        }
        i += 16;
    }
#endif
    for (; i + 6 <= n; ++i)
        if (base[i] == '\n' && std::memcmp(base + i + 1, "From ", 5) == 0) return i;
    return std::string_view::npos;
}

namespace {
// The first separator line after a line break at or after `from`, or npos:
// `search(from)` gives the next "\nFrom " at or after `from`.
template <typename Search>
std::size_t separator_by(std::string_view data, std::size_t from, Search&& search) {
    while (from < data.size()) {
        std::size_t hit = search(from);
        if (hit == std::string_view::npos) break;
        if (is_from_line(line_at(data, hit + 1))) return hit + 1;
        from = hit + 1;
    }
    return std::string_view::npos;
}
}  // namespace

std::size_t find_separator(std::string_view data, std::size_t from) {
    return separator_by(data, from, [&](std::size_t at) { return find_line_start_from(data, at); });
}

namespace {

// The "--" line starts a search passes, as offsets less `origin`; past
// DashLines::kMax (or offsets beyond 32 bits) it gives up and says so.
struct DashNotes {
    std::vector<std::uint32_t>& at;
    std::size_t origin;
    bool full = false;
    void add(std::size_t line_start) {
        if (full) return;
        if (at.size() >= DashLines::kMax || line_start - origin > UINT32_MAX) {
            full = true;
            return;
        }
        at.push_back(static_cast<std::uint32_t>(line_start - origin));
    }
    // Each set bit k of `mask`: a line start at i + 1 + k.
    void add_mask(std::size_t i, std::uint64_t mask) {
        for (; mask != 0; mask &= mask - 1) add(i + 1 + static_cast<std::size_t>(__builtin_ctzll(mask)));
    }
};

// find_line_start_from's search, also noting the "--" line starts before the
// hit: one read of a body serves the split and the forwarded-message test.
std::size_t find_line_start_noting_sse2(std::string_view data, std::size_t i, DashNotes& notes) {
    const char* base = data.data();
    std::size_t n = data.size();
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i f = _mm_set1_epi8('F');
    const __m128i dash = _mm_set1_epi8('-');
    while (i + 18 <= n) {
        __m128i breaks = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i)), nl);
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 1));
        __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 2));
        auto fm = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(breaks, _mm_cmpeq_epi8(b, f))));
        auto dm = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_and_si128(breaks, _mm_and_si128(_mm_cmpeq_epi8(b, dash), _mm_cmpeq_epi8(c, dash)))));
        for (; fm != 0; fm &= fm - 1) {
            auto bit = static_cast<unsigned>(__builtin_ctz(fm));
            std::size_t at = i + bit;
            if (at + 6 <= n && std::memcmp(base + at + 1, "From ", 5) == 0) {
                notes.add_mask(i, dm & ((1U << bit) - 1U));
                return at;
            }
        }
        notes.add_mask(i, dm);
        i += 16;
    }
#endif
    for (; i + 1 < n; ++i) {
        if (base[i] != '\n') continue;
        if (base[i + 1] == '-' && i + 2 < n && base[i + 2] == '-')
            notes.add(i + 1);
        else if (i + 6 <= n && std::memcmp(base + i + 1, "From ", 5) == 0)
            return i;
    }
    return std::string_view::npos;
}

#if defined(__x86_64__)
// One 64-byte step of the searches below: the first "\nFrom " among the line
// breaks `fm` (bit k: a break at i + k followed by 'F'), with the "--" line
// starts `dm` before it noted (all of them when there is none).
inline std::optional<std::size_t> separator_in_step(std::string_view data, std::size_t i, std::uint64_t fm,
                                                    std::uint64_t dm, DashNotes& notes) {
    for (; fm != 0; fm &= fm - 1) {
        auto bit = static_cast<unsigned>(__builtin_ctzll(fm));
        std::size_t at = i + bit;
        if (at + 6 <= data.size() && std::memcmp(data.data() + at + 1, "From ", 5) == 0) {
            notes.add_mask(i, dm & ((std::uint64_t{1} << bit) - 1U));
            return at;
        }
    }
    notes.add_mask(i, dm);
    return std::nullopt;
}

__attribute__((target("avx2"))) inline __m256i load32(const char* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Returns a hit, or where the SSE2 search is to go on (`hit` false).
__attribute__((target("avx2"))) std::size_t find_line_start_noting_avx2(std::string_view data, std::size_t i, bool& hit,
                                                                        DashNotes& notes) {
    const char* base = data.data();
    std::size_t n = data.size();
    const __m256i nl = _mm256_set1_epi8('\n');
    const __m256i f = _mm256_set1_epi8('F');
    const __m256i dash = _mm256_set1_epi8('-');
    while (i + 66 <= n) {
        // Per 32 bytes: line breaks, then 'F' or "--" right after one.
        __m256i breaks0 = _mm256_cmpeq_epi8(load32(base + i), nl);
        __m256i breaks1 = _mm256_cmpeq_epi8(load32(base + i + 32), nl);
        __m256i b0 = load32(base + i + 1);
        __m256i b1 = load32(base + i + 33);
        __m256i f0 = _mm256_and_si256(breaks0, _mm256_cmpeq_epi8(b0, f));
        __m256i f1 = _mm256_and_si256(breaks1, _mm256_cmpeq_epi8(b1, f));
        __m256i d0 = _mm256_and_si256(
            breaks0, _mm256_and_si256(_mm256_cmpeq_epi8(b0, dash), _mm256_cmpeq_epi8(load32(base + i + 2), dash)));
        __m256i d1 = _mm256_and_si256(
            breaks1, _mm256_and_si256(_mm256_cmpeq_epi8(b1, dash), _mm256_cmpeq_epi8(load32(base + i + 34), dash)));
        __m256i any = _mm256_or_si256(_mm256_or_si256(f0, f1), _mm256_or_si256(d0, d1));
        if (_mm256_testz_si256(any, any) == 0) {
            std::uint64_t fm = static_cast<std::uint32_t>(_mm256_movemask_epi8(f0)) |
                               (std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(f1))} << 32U);
            std::uint64_t dm = static_cast<std::uint32_t>(_mm256_movemask_epi8(d0)) |
                               (std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(d1))} << 32U);
            if (auto at = separator_in_step(data, i, fm, dm, notes)) {
                hit = true;
                return *at;
            }
        }
        i += 64;
    }
    return i;
}

// The same with AVX-512BW (see find_line_start_avx512): the "--" test only
// where a line break is followed by '-'.
__attribute__((target("avx512bw"))) std::size_t find_line_start_noting_avx512(std::string_view data, std::size_t i,
                                                                              bool& hit, DashNotes& notes) {
    const char* base = data.data();
    std::size_t n = data.size();
    const __m512i nl = _mm512_set1_epi8('\n');
    const __m512i f = _mm512_set1_epi8('F');
    const __m512i dash = _mm512_set1_epi8('-');
    while (i + 66 <= n) {
        __mmask64 breaks = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(base + i), nl);
        __m512i next = _mm512_loadu_si512(base + i + 1);
        std::uint64_t fm = _mm512_mask_cmpeq_epi8_mask(breaks, next, f);
        __mmask64 one_dash = _mm512_mask_cmpeq_epi8_mask(breaks, next, dash);
        if ((fm | one_dash) != 0) {
            std::uint64_t dm = _mm512_mask_cmpeq_epi8_mask(one_dash, _mm512_loadu_si512(base + i + 2), dash);
            if (auto at = separator_in_step(data, i, fm, dm, notes)) {
                hit = true;
                return *at;
            }
        }
        i += 64;
    }
    return i;
}
#endif

std::size_t find_line_start_noting(std::string_view data, std::size_t from, DashNotes& notes, Simd level) {
#if defined(__x86_64__)
    if (kHasAvx512 && allowed(Simd::avx512, level)) {
        bool hit = false;
        std::size_t at = find_line_start_noting_avx512(data, from, hit, notes);
        if (hit) return at;
        from = at;
    } else if (kHasAvx2 && allowed(Simd::avx2, level)) {
        bool hit = false;
        std::size_t at = find_line_start_noting_avx2(data, from, hit, notes);
        if (hit) return at;
        from = at;
    }
#else
    (void)level;
#endif
    return find_line_start_noting_sse2(data, from, notes);
}

}  // namespace

std::size_t find_separator_noting(std::string_view data, std::size_t from, DashLines& dashes, std::size_t origin,
                                  Simd level) {
    dashes.at.clear();
    dashes.from = std::string_view::npos;
    DashNotes notes{dashes.at, origin};
    std::size_t found =
        separator_by(data, from, [&](std::size_t at) { return find_line_start_noting(data, at, notes, level); });
    if (notes.full)
        dashes.at = {};
    else
        dashes.from = from + 1 - origin;  // line starts after a break at or after `from`
    return found;
}

namespace {

// Where the first message begins: after a byte-order mark.
std::size_t first_message(std::string_view data) {
    return data.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
}

// The first separator at or after `from` (the size when none).
std::size_t separator_at_or_after(std::string_view data, std::size_t from) {
    std::size_t first = first_message(data);
    if (from <= first) return std::min(first, data.size());
    if (from > data.size()) return data.size();
    std::size_t at = find_separator(data, from - 1);  // a line break right before `from` starts a line at it
    return at == std::string_view::npos ? data.size() : at;
}

// Past the line at `pos` and its line break (the size when none).
std::size_t past_line(std::string_view data, std::size_t pos) {
    if (pos >= data.size()) return data.size();
    std::size_t next = 0;
    line_at(data, pos, &next);
    return next;
}

}  // namespace

MboxPart mbox_part(std::string_view data, std::size_t start, std::size_t end) {
    MboxPart part;
    part.begin = separator_at_or_after(data, start);
    part.end = std::max(part.begin, separator_at_or_after(data, end));
    std::size_t first = first_message(data);
    part.read_from = std::min(start > first ? start - 1 : 0, data.size());
    part.read_to = std::max(past_line(data, part.begin), past_line(data, part.end));
    return part;
}

MboxSplitter::MboxSplitter(std::string_view data) : data_(data), pos_(first_message(data)) {}

MboxSplitter::MboxSplitter(std::string_view data, std::size_t from) : data_(data), pos_(first_message(data)) {
    pos_ = std::max(pos_, from);
}

bool MboxSplitter::separator_at(std::size_t pos) const {
    return is_from_line(line_at(data_, pos));
}

std::optional<std::size_t> MboxSplitter::by_content_length(std::size_t body, std::size_t length) const {
    if (body > data_.size() || length > data_.size() - body) return std::nullopt;
    std::size_t end = body + length;
    // Allow the blank line writers put between messages.
    for (int k = 0; k < 3 && end < data_.size(); ++k) {
        if (separator_at(end)) return end;
        if (data_[end] == '\r' || data_[end] == '\n')
            ++end;
        else
            break;
    }
    if (end >= data_.size()) return data_.size();
    return separator_at(end) ? std::optional<std::size_t>(end) : std::nullopt;
}

std::optional<MessageSpan> MboxSplitter::next() {
    if (pos_ >= data_.size()) return std::nullopt;
    std::size_t start = pos_;
    std::size_t first_next = 0;
    line_at(data_, start, &first_next);
    std::size_t end = data_.size();
    // One walk over the header lines: a separator right after them (a
    // headers-only message), the blank line, and a Content-Length on the way.
    std::size_t body = data_.size();
    bool separator_in_header = false;
    std::optional<std::size_t> length;
    // Only a multipart's "--" lines are asked for (may_attach_messages); a
    // Content-Type missed here costs a second read of the body, never an answer.
    bool typed = false;
    bool multipart = false;
    for (std::size_t p = first_next; p < data_.size();) {
        p = next_header_line(data_, p);
        if (p >= data_.size()) break;
        if (data_[p] == 'F' && separator_at(p)) {
            end = p;
            separator_in_header = true;
            break;
        }
        std::size_t next = 0;
        std::string_view l = line_at(data_, p, &next);
        if (l.empty()) {
            body = next;
            break;
        }
        if (l.size() > 15 && (l[0] == 'C' || l[0] == 'c') && strncasecmp(l.data(), "Content-Length:", 15) == 0) {
            std::string_view v = l.substr(15);
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
            std::size_t n = 0;
            auto [q, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec == std::errc() && q == v.data() + v.size()) length = n;
        } else if (!typed && l.size() > 12 && (l[0] == 'C' || l[0] == 'c') &&
                   strncasecmp(l.data(), "Content-Type", 12) == 0) {
            std::size_t colon = 12;
            while (colon < l.size() && (l[colon] == ' ' || l[colon] == '\t')) ++colon;
            if (colon < l.size() && l[colon] == ':') {
                // The first field counts, as in the header block; a value
                // folded onto the next line may be a multipart too.
                typed = true;
                std::string_view v = l.substr(colon + 1);
                multipart = v.find_first_not_of(" \t") == std::string_view::npos || icontains(v, "multipart/");
            }
        }
        p = next;
    }
    std::optional<std::size_t> counted;
    if (!separator_in_header && length) counted = by_content_length(body, *length);
    MessageSpan span;
    if (counted) {
        end = *counted;
    } else if (!separator_in_header) {
        // From the blank line's own break: a separator may follow it directly (an empty body).
        std::size_t at = multipart ? find_separator_noting(data_, body - 1, span.dash_lines, start)
                                   : find_separator(data_, body - 1);
        if (at != std::string_view::npos) end = at;
    }
    pos_ = end;
    span.offset = start;
    span.length = end - start;
    return span;
}

}  // namespace hopscope
