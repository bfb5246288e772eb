#include "parse/date_parser.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "base/gmime_types.hh"

namespace hopscope {
namespace {

constexpr std::size_t kMaxDateText = 256;

struct NamedZone {
    std::string_view name;
    int minutes;  // offset east of UTC
};

// Zones GMime reads correctly by name (RFC 5322 section 4.3).
constexpr std::array<std::string_view, 12> kGmimeZones = {"UT",  "UTC", "GMT", "Z",   "EST", "EDT",
                                                          "CST", "CDT", "MST", "MDT", "PST", "PDT"};

// Unambiguous abbreviations seen in real stamps that GMime would read as
// +0000; we rewrite them as numeric offsets before GMime sees them.
// (IST, BST and the like stay out: they name more than one zone.)
constexpr std::array<NamedZone, 24> kExtraZones = {{
    {"CET", 60},   {"CEST", 120}, {"MET", 60},   {"MEST", 120}, {"MESZ", 120},  {"MEZ", 60},
    {"EET", 120},  {"EEST", 180}, {"WET", 0},    {"WEST", 60},  {"MSK", 180},   {"JST", 540},
    {"KST", 540},  {"HKT", 480},  {"SGT", 480},  {"AWST", 480}, {"ACST", 570},  {"AEST", 600},
    {"AEDT", 660}, {"NZST", 720}, {"NZDT", 780}, {"HST", -600}, {"AKST", -540}, {"AKDT", -480},
}};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::string upper(std::string_view s) {
    std::string u(s);
    for (char& c : u)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return u;
}

// Removes (comments), collapses white space. Bounded and non-recursive.
std::string strip_comments(std::string_view text) {
    std::string out;
    int depth = 0;
    bool space = false;
    for (char c : text) {
        if (c == '(') {
            ++depth;
            continue;
        }
        if (c == ')' && depth > 0) {
            --depth;
            continue;
        }
        if (depth > 0) continue;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

bool is_time_token(std::string_view t) {
    // H:MM, HH:MM or HH:MM:SS (optionally with fractional seconds)
    std::size_t colon = t.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon > 2) return false;
    for (std::size_t i = 0; i < colon; ++i)
        if (!is_digit(t[i])) return false;
    return t.size() >= colon + 3 && is_digit(t[colon + 1]) && is_digit(t[colon + 2]);
}

bool is_numeric_zone(std::string_view t) {
    if (t.size() != 5 || (t[0] != '+' && t[0] != '-')) return false;
    for (std::size_t i = 1; i < 5; ++i)
        if (!is_digit(t[i])) return false;
    int hh = (t[1] - '0') * 10 + (t[2] - '0');
    int mm = (t[3] - '0') * 10 + (t[4] - '0');
    return hh <= 23 && mm <= 59;
}

std::string quote(std::string_view text) {
    return "'" + std::string(text.substr(0, 120)) + "'";
}

// ISO 8601 forms some gateways write ("2021-04-06 14:13:19 +0200",
// "2021-04-06T14:13:19Z"), which GMime does not read.
std::optional<UnixTime> parse_iso(std::string_view s, bool& zone_missing) {
    // YYYY-MM-DD[T ]HH:MM:SS, read digit by digit (no sscanf: it cannot report bad input).
    std::string buf(s.substr(0, kMaxDateText));
    std::size_t n = 0;
    auto digits = [&](int count, int& out) {
        out = 0;
        for (int k = 0; k < count; ++k, ++n) {
            if (n >= buf.size() || !is_digit(buf[n])) return false;
            out = out * 10 + (buf[n] - '0');
        }
        return true;
    };
    auto sep = [&](std::string_view allowed) {
        return n < buf.size() && allowed.find(buf[n++]) != std::string_view::npos;
    };
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int sec = 0;
    if (!(digits(4, y) && sep("-") && digits(2, mo) && sep("-") && digits(2, d) && sep("T ") && digits(2, h) &&
          sep(":") && digits(2, mi) && sep(":") && digits(2, sec)))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::string_view rest(buf.c_str() + n);
    while (!rest.empty() && (rest.front() == ' ' || is_digit(rest.front()) || rest.front() == '.')) {
        if (rest.front() == '.') {  // fractional seconds
            rest.remove_prefix(1);
            while (!rest.empty() && is_digit(rest.front())) rest.remove_prefix(1);
            continue;
        }
        if (rest.front() != ' ') break;
        rest.remove_prefix(1);
    }
    int offset = 0;
    zone_missing = false;
    if (rest.empty()) {
        zone_missing = true;
    } else if (rest.front() == 'Z' || rest.front() == 'z') {
        offset = 0;
        rest.remove_prefix(1);
    } else if ((rest.front() == '+' || rest.front() == '-') && rest.size() >= 5) {
        std::string z;
        std::size_t used = 1;
        for (; used < rest.size() && (is_digit(rest[used]) || rest[used] == ':'); ++used)
            if (is_digit(rest[used])) z.push_back(rest[used]);
        if (z.size() != 4) return std::nullopt;
        offset = ((z[0] - '0') * 10 + (z[1] - '0')) * 60 + (z[2] - '0') * 10 + (z[3] - '0');
        if (rest.front() == '-') offset = -offset;
        rest.remove_prefix(used);
    } else {
        return std::nullopt;
    }
    // After the zone: its name ("+0000 UTC") and Go's monotonic clock reading
    // ("m=+25522.916850060", as SendGrid's filters write it); nothing else.
    auto word = [&] {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        std::size_t end = rest.find(' ');
        std::string_view w = rest.substr(0, end);
        rest.remove_prefix(w.size());
        return w;
    };
    bool named = false;
    bool clocked = false;
    for (std::string_view w = word(); !w.empty(); w = word()) {
        bool name = !named && !clocked && w.size() >= 2 && w.size() <= 5;
        for (char c : w) name = name && c >= 'A' && c <= 'Z';
        bool monotonic = !clocked && w.size() > 3 && w.substr(0, 2) == "m=" && (w[2] == '+' || w[2] == '-');
        for (std::size_t k = 3; monotonic && k < w.size(); ++k) monotonic = is_digit(w[k]) || w[k] == '.';
        if (!name && !monotonic) return std::nullopt;
        named = named || name;
        clocked = clocked || monotonic;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return static_cast<UnixTime>(timegm(&tm)) - static_cast<UnixTime>(offset) * 60;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    auto yoe = static_cast<unsigned>(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_space_char(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A 3-letter name at p as one number, its letters folded to lower case: a
// byte OR 0x20 equals a lower-case letter only where the byte is that letter
// in either case, so the names below match in any case and nothing else.
constexpr std::uint32_t key3(const char* p) {
    auto b = [p](int k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[k]) | 0x20U); };
    return (b(0) << 16U) | (b(1) << 8U) | b(2);
}

template <std::size_t N>
constexpr std::array<std::uint32_t, N> keys_of(const char (&names)[N * 3 + 1]) {
    std::array<std::uint32_t, N> keys{};
    for (std::size_t k = 0; k < N; ++k) keys[k] = key3(names + 3 * k);
    return keys;
}

constexpr auto kDayNames = keys_of<7>("montuewedthufrisatsun");
constexpr auto kMonthNames = keys_of<12>("janfebmaraprmayjunjulaugsepoctnovdec");

// Index of the 3-letter name at p in a table of them (any case), or -1.
template <std::size_t N>
int name3(const std::array<std::uint32_t, N>& table, const char* p) {
    const std::uint32_t key = key3(p);
    for (std::size_t k = 0; k < N; ++k)
        if (table[k] == key) return static_cast<int>(k);
    return -1;
}

// The fixed layout after the month name up to the zone's sign: 'd' a digit,
// anything else that byte itself.
constexpr std::string_view kShape = " dddd dd:dd:dd ";

// Bit k set where byte k of kShape is a digit (or, for false, a separator).
constexpr unsigned shape_bits(bool digits) {
    unsigned out = 0;
    for (std::size_t k = 0; k < kShape.size(); ++k)
        if ((kShape[k] == 'd') == digits) out |= 1U << k;
    return out;
}

struct DateParts {
    int day = 0;
    int month = 0;  // 0-11
    int year = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int zone = 0;  // minutes east of UTC
};

// What may follow the zone at s[i]: nothing, or white space and one plain
// comment ("(PST)", "(UTC)") and white space. Both readers below ask this.
bool zone_tail_ok(std::string_view s, std::size_t i) {
    if (i < s.size() && !is_space_char(s[i]) && s[i] != '(') return false;
    while (i < s.size() && is_space_char(s[i])) ++i;
    if (i < s.size()) {
        if (s[i] != '(') return false;
        // Up to the first ')': no other '(' or '\\', printable ASCII only.
        std::size_t close = i + 1;
        for (;; ++close) {
            if (close == s.size()) return false;
            auto c = static_cast<unsigned char>(s[close]);
            if (c == ')') break;
            if (c == '(' || c == '\\' || c < 0x20 || c >= 0x7f) return false;
        }
        i = close + 1;
        while (i < s.size() && is_space_char(s[i])) ++i;
        if (i < s.size()) return false;
    }
    return true;
}

// "Tue, 14 Nov 2023 22:13:20 +0000" (or "GMT" for the zone), or with a
// one-digit day, and what may follow a zone ("(CEST)"): the layout nearly
// every stamp has, read by position. Anything else is left to the token
// reader below (which reads this layout with a numeric zone the same way)
// or to the general reader.
bool read_fixed_layout(std::string_view s, DateParts& p) {
    if (s.size() < 28) return false;  // "Tue, 1 Nov 2023 22:13:20 GMT"
    std::size_t short_day = s[6] == ' ' ? 1 : 0;
    const std::size_t zone_at = 26 - short_day;
    if (s.size() < zone_at + 3) return false;
    const char* c = s.data();
    auto two = [c](std::size_t at) { return (c[at] - '0') * 10 + (c[at + 1] - '0'); };
    if (c[3] != ',' || c[4] != ' ' || name3(kDayNames, c) < 0) return false;
    if (!is_digit(c[5]) || (short_day == 0 && (!is_digit(c[6]) || c[7] != ' '))) return false;
    p.day = short_day != 0 ? c[5] - '0' : two(5);
    const std::size_t m = 8 - short_day;  // the month name; the rest follows it at fixed places
    p.month = name3(kMonthNames, c + m);
    if (p.month < 0) return false;
        // After the month: " YYYY HH:MM:SS +HHMM", a byte each of a known kind.
#if defined(__SSE2__)
    // Its first sixteen bytes (up to the zone's sign) tested at once: digits
    // where digits go, the separators where they go.
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + m + 3));
    const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    auto digit_at = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)));
    auto sep_at = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setr_epi8(' ', 0, 0, 0, 0, ' ', 0, 0, ':', 0, 0, ':', 0, 0, ' ', 0))));
    constexpr unsigned kDigits = shape_bits(true);
    constexpr unsigned kSeps = shape_bits(false);
    if ((digit_at & kDigits) != kDigits || (sep_at & kSeps) != kSeps) return false;
#else
    for (std::size_t k = 0; k < kShape.size(); ++k)
        if (kShape[k] == 'd' ? !is_digit(c[m + 3 + k]) : c[m + 3 + k] != kShape[k]) return false;
#endif
    // The zone: a numeric one, or "GMT" (as the general reader reads it: UTC).
    std::size_t zone_end = zone_at + 5;
    if (s.size() >= zone_end && is_numeric_zone(s.substr(zone_at, 5))) {
        p.zone = (two(zone_at + 1) * 60 + two(zone_at + 3)) * (c[zone_at] == '-' ? -1 : 1);
    } else if (s.substr(zone_at, 3) == "GMT") {
        p.zone = 0;
        zone_end = zone_at + 3;
    } else {
        return false;
    }
    if (s.size() > zone_end && !zone_tail_ok(s, zone_end)) return false;
    p.year = two(m + 4) * 100 + two(m + 6);
    p.hour = two(m + 9);
    p.minute = two(m + 12);
    p.second = two(m + 15);
    return true;
}

// The instant of checked parts, or nullopt for a value out of range.
std::optional<UnixTime> to_unix(const DateParts& p) {
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (p.year < 1980 || p.year > 2100) return std::nullopt;
    bool leap = (p.year % 4 == 0 && p.year % 100 != 0) || p.year % 400 == 0;
    if (p.day < 1 || p.day > kDays[static_cast<std::size_t>(p.month)] || (p.month == 1 && p.day == 29 && !leap))
        return std::nullopt;
    if (p.hour > 23 || p.minute > 59 || p.second > 59) return std::nullopt;
    std::int64_t days = days_from_civil(p.year, static_cast<unsigned>(p.month + 1), static_cast<unsigned>(p.day));
    return days * 86400 + std::int64_t{p.hour} * 3600 + std::int64_t{p.minute} * 60 + p.second -
           std::int64_t{p.zone} * 60;
}

}  // namespace

// The form nearly every stamp is written in, read without allocating:
// "[Day,] D Mon YYYY HH:MM[:SS] +HHMM [(comment)]". Anything else (or a value
// out of range) returns nullopt and takes the general path, so both agree.
std::optional<UnixTime> parse_canonical_date(std::string_view text) {
    DateParts p;
    if (read_fixed_layout(text, p)) return to_unix(p);
    std::string_view s = text;
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < s.size() && is_space_char(s[i])) ++i;
    };
    // Between tokens the general reader needs white space: so do we.
    auto need_space = [&] {
        std::size_t before = i;
        skip_space();
        return i > before;
    };
    auto number = [&](std::size_t min_digits, std::size_t max_digits, int& out) {
        std::size_t start = i;
        out = 0;
        while (i < s.size() && is_digit(s[i]) && i - start < max_digits) out = out * 10 + (s[i++] - '0');
        return i - start >= min_digits && (i >= s.size() || !is_digit(s[i]));
    };
    auto word3 = [&](const auto& table) -> int {  // index of a 3-letter name, -1 if none
        if (i + 3 > s.size()) return -1;
        int k = name3(table, s.data() + i);
        if (k >= 0) i += 3;
        return k;
    };
    skip_space();
    if (i < s.size() && is_alpha(s[i])) {
        if (word3(kDayNames) < 0) return std::nullopt;
        if (i >= s.size() || s[i++] != ',' || !need_space()) return std::nullopt;
    }
    if (!number(1, 2, p.day) || !need_space()) return std::nullopt;
    p.month = word3(kMonthNames);
    if (p.month < 0 || !need_space()) return std::nullopt;
    if (!number(4, 4, p.year) || p.year < 1980 || p.year > 2100 || !need_space()) return std::nullopt;
    if (!number(2, 2, p.hour) || i >= s.size() || s[i++] != ':' || !number(2, 2, p.minute)) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
        ++i;
        if (!number(2, 2, p.second)) return std::nullopt;
    }
    if (!need_space()) return std::nullopt;
    if (i + 5 > s.size() || !is_numeric_zone(s.substr(i, 5))) return std::nullopt;
    p.zone = (((s[i + 1] - '0') * 10 + (s[i + 2] - '0')) * 60 + (s[i + 3] - '0') * 10 + (s[i + 4] - '0')) *
             (s[i] == '-' ? -1 : 1);
    i += 5;
    if (!zone_tail_ok(s, i)) return std::nullopt;  // only one plain comment may follow: "(PST)", "(UTC)"
    return to_unix(p);
}

UtcText format_utc_text(UnixTime t) {
    std::int64_t days = t / 86400;
    std::int64_t secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    // The times of one message mostly fall on one day: each thread keeps the
    // "YYYY-MM-DD" of the day it wrote last.
    struct DayText {
        std::int64_t days = INT64_MIN;
        std::array<char, 32> text{};
        std::size_t len = 0;
    };
    thread_local DayText last;
    if (days != last.days) {
        // Civil date from days (H. Hinnant's algorithm): no locale, no libc lock.
        std::int64_t z = days + 719468;
        std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        auto doe = static_cast<unsigned>(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) ++y;
        // Years outside 0-9999 are written in full in front of "-MM-DD".
        char* w = last.text.data();
        if (y < 0 || y > 9999) {
            auto [end, ec] = std::to_chars(w, w + 24, y);
            w = end;
        } else {
            for (int k = 3; k >= 0; --k) {
                w[k] = static_cast<char>('0' + y % 10);
                y /= 10;
            }
            w += 4;
        }
        for (unsigned v : {m, d}) {
            *w++ = '-';
            *w++ = static_cast<char>('0' + v / 10 % 10);
            *w++ = static_cast<char>('0' + v % 10);
        }
        last.len = static_cast<std::size_t>(w - last.text.data());
        last.days = days;
    }
    UtcText out;
    char* w = out.buf.data();
    std::memcpy(w, last.text.data(), last.len);
    w += last.len;
    auto put2 = [&](char sep, unsigned v) {
        *w++ = sep;
        *w++ = static_cast<char>('0' + v / 10 % 10);
        *w++ = static_cast<char>('0' + v % 10);
    };
    put2('T', static_cast<unsigned>(secs / 3600));
    put2(':', static_cast<unsigned>(secs % 3600 / 60));
    put2(':', static_cast<unsigned>(secs % 60));
    *w++ = 'Z';
    out.len = static_cast<std::size_t>(w - out.buf.data());
    return out;
}

std::string format_utc(UnixTime t) {
    return std::string(format_utc_text(t).view());
}

ParsedDate parse_date(std::string_view text) {
    if (auto t = parse_canonical_date(text)) return ParsedDate{t, {}};
    return parse_date_general(text);
}

ParsedDate parse_date_general(std::string_view text) {
    ParsedDate result;
    std::string clean = strip_comments(text.substr(0, kMaxDateText * 4));
    if (clean.empty()) {
        result.anomalies.push_back({"missing-date", "the stamp has no date"});
        return result;
    }
    if (clean.size() > kMaxDateText) {
        result.anomalies.push_back({"unparsable-date", "date text too long: " + quote(text)});
        return result;
    }
    for (char c : clean) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            result.anomalies.push_back({"unparsable-date", "date is not plain text: " + quote(clean)});
            return result;
        }
    }

    if (clean.size() >= 10 && is_digit(clean[0]) && clean[4] == '-') {
        bool zone_missing = false;
        if (auto t = parse_iso(clean, zone_missing)) {
            result.time = t;
            if (zone_missing)
                result.anomalies.push_back({"missing-zone", "no time zone in " + quote(clean) + "; read as UTC"});
            return result;
        }
        // ISO-shaped text parse_iso could not read in full: GMime would guess.
        if (clean.size() >= 10 && clean[7] == '-') {
            result.anomalies.push_back({"unparsable-date", "cannot read date " + quote(clean)});
            return result;
        }
    }

    // Split into tokens to find the zone: the token after the time.
    std::vector<std::string> tokens;
    {
        std::string cur;
        for (char c : clean) {
            if (c == ' ') {
                if (!cur.empty()) tokens.push_back(std::move(cur));
                cur.clear();
            } else {
                cur.push_back(c);
            }
        }
        if (!cur.empty()) tokens.push_back(std::move(cur));
    }
    std::size_t time_at = tokens.size();
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (is_time_token(tokens[i])) {
            time_at = i;
            break;
        }
    if (time_at == tokens.size()) {
        result.anomalies.push_back({"unparsable-date", "no time of day in " + quote(clean)});
        return result;
    }

    // Fractional seconds ("03:30:12.201", as SendGrid writes them) are
    // dropped: GMime reads such a time as midnight.
    std::string& time_token = tokens[time_at];
    if (auto dot = time_token.find('.'); dot != std::string::npos) {
        bool fraction = dot + 1 < time_token.size();
        for (std::size_t k = dot + 1; k < time_token.size(); ++k) fraction = fraction && is_digit(time_token[k]);
        if (!fraction ||
            std::count(time_token.begin(), time_token.begin() + static_cast<std::ptrdiff_t>(dot), ':') != 2) {
            result.anomalies.push_back({"unparsable-date", "cannot read the time of day in " + quote(clean)});
            return result;
        }
        time_token.resize(dot);
    }
    int want_hour = 0;
    int want_minute = 0;
    {
        std::size_t colon = time_token.find(':');
        for (std::size_t k = 0; k < colon; ++k) want_hour = want_hour * 10 + (time_token[k] - '0');
        want_minute = (time_token[colon + 1] - '0') * 10 + (time_token[colon + 2] - '0');
    }

    // A 12-hour clock ("11:59:06 PM", as some mailers write Date): the
    // hour on the 24-hour clock, and the word is no zone.
    if (time_at + 1 < tokens.size() && want_hour >= 1 && want_hour <= 12) {
        std::string half = upper(tokens[time_at + 1]);
        if (half == "AM" || half == "PM") {
            want_hour = half == "PM" ? (want_hour % 12) + 12 : want_hour % 12;
            std::string& tt = tokens[time_at];
            tt = std::to_string(want_hour / 10) + std::to_string(want_hour % 10) + tt.substr(tt.find(':'));
            tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(time_at) + 1);
        }
    }

    bool zone_missing = false;
    std::optional<std::string> unknown_zone;
    // ctime form puts the year after the time: "Tue Apr  6 14:13:19 2021 +0200"
    std::size_t zone_at = time_at + 1;
    if (zone_at < tokens.size() && tokens[zone_at].size() == 4 && is_digit(tokens[zone_at][0]) &&
        is_digit(tokens[zone_at][3]))
        ++zone_at;
    if (zone_at >= tokens.size()) {
        zone_missing = true;
    } else {
        std::string& z = tokens[zone_at];
        std::string uz = upper(z);
        bool known = is_numeric_zone(z);
        for (auto g : kGmimeZones) known = known || uz == g;
        // Zone names are case-insensitive (RFC 5322 section 4.3); GMime reads
        // them in capitals only and takes "cst" for +0000.
        if (known && !is_numeric_zone(z)) z = uz;
        if (!known) {
            for (const auto& e : kExtraZones) {
                if (uz == e.name) {
                    int m = e.minutes < 0 ? -e.minutes : e.minutes;
                    std::array<char, 16> buf{};
                    (void)std::snprintf(buf.data(), buf.size(), "%c%02d%02d", e.minutes < 0 ? '-' : '+', m / 60,
                                        m % 60);
                    z = buf.data();
                    known = true;
                    break;
                }
            }
        }
        if (!known) {
            bool alpha = !z.empty();
            for (char c : z) alpha = alpha && is_alpha(c);
            if (alpha)
                unknown_zone = z;
            else if ((z[0] == '+' || z[0] == '-')) {
                result.anomalies.push_back({"unparsable-date", "bad time zone in " + quote(clean)});
                return result;
            } else {
                zone_missing = true;  // something else follows; GMime ignores it
            }
        }
    }

    std::string rebuilt;
    for (const auto& t : tokens) {
        if (!rebuilt.empty()) rebuilt.push_back(' ');
        rebuilt += t;
    }
    gm::ensure_initialised();
    gm::DateTime dt(g_mime_utils_header_decode_date(rebuilt.c_str()));
    if (!dt) {
        result.anomalies.push_back({"unparsable-date", "cannot read date " + quote(clean)});
        return result;
    }
    // Never a time from a date read in part: GMime reads what it cannot
    // understand as zeros, so its time of day must be the one written.
    if (g_date_time_get_hour(dt.get()) != want_hour || g_date_time_get_minute(dt.get()) != want_minute) {
        result.anomalies.push_back({"unparsable-date", "cannot read date " + quote(clean)});
        return result;
    }
    result.time = g_date_time_to_unix(dt.get());
    if (unknown_zone)
        result.anomalies.push_back(
            {"unknown-zone", "time zone '" + *unknown_zone + "' is not a known abbreviation; read as UTC"});
    if (zone_missing) result.anomalies.push_back({"missing-zone", "no time zone in " + quote(clean) + "; read as UTC"});
    int year = g_date_time_get_year(dt.get());
    if (year < 1980 || year > 2100)
        result.anomalies.push_back({"implausible-date", "year " + std::to_string(year) + " in " + quote(clean)});
    return result;
}

}  // namespace hopscope
