#include "parse/security_headers.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "input/header_block.hh"
#include "parse/ip_address.hh"

namespace hopscope {
namespace {

// Sets kept of an ARC chain (RFC 8617 allows 50) and groups of one header.
constexpr std::size_t kMaxArcSets = 50;
constexpr std::size_t kMaxFieldsPerGroup = 256;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Trims the white space of folded text too (line breaks).
std::string_view trim_folded(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

// The first position at or after `i` that holds a, b or c, else s.size():
// sixteen bytes at a time.
std::size_t next_of(std::string_view s, std::size_t i, char a, char b, char c) {
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8(a);
    const __m128i vb = _mm_set1_epi8(b);
    const __m128i vc = _mm_set1_epi8(c);
    for (; i + 16 <= s.size(); i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
        if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i < s.size(); ++i)
        if (s[i] == a || s[i] == b || s[i] == c) return i;
    return s.size();
}

// Calls part(view) for each part of `s` split at `sep` outside (comments);
// parts are trimmed (by `trim_part`), and a last empty one is left out.
template <typename Part>
void split_top(std::string_view s, char sep, Part&& part, std::string_view (*trim_part)(std::string_view) = trim) {
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = next_of(s, 0, '(', ')', sep); i < s.size(); i = next_of(s, i + 1, '(', ')', sep)) {
        char c = s[i];
        if (c == '(') ++depth;
        if (c == ')' && depth > 0) --depth;
        if (c == sep && depth == 0) {
            part(trim_part(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    if (auto last = trim_part(s.substr(std::min(start, s.size()))); !last.empty()) part(last);
}

// The ')' that closes the '(' at `open` (nested ones counted), else
// s.size().
std::size_t closing_paren(std::string_view s, std::size_t open) {
    int depth = 0;
    for (std::size_t i = next_of(s, open, '(', ')', '('); i < s.size(); i = next_of(s, i + 1, '(', ')', '(')) {
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0) return i;
    }
    return s.size();
}

// The first byte at or after `pos` that is one of `set` (a few bytes), else
// s.size(): a plain walk, where find_first_of asks memchr about each byte.
template <std::size_t N>
std::size_t find_any(std::string_view s, const char (&set)[N], std::size_t pos = 0) {
    for (; pos < s.size(); ++pos)
        for (std::size_t k = 0; k + 1 < N; ++k)
            if (s[pos] == set[k]) return pos;
    return s.size();
}

std::optional<int> to_int(std::string_view s) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// A field with its label in the vendor's casing when the table names it.
SecurityField field(const HeaderInfo& info, std::string_view key, std::string_view value) {
    SecurityField f{key, value, field_meaning(info, key, value)};
    if (f.meaning.key != nullptr && f.meaning.key->key != "*" && f.meaning.key->key != "=") f.key = f.meaning.key->key;
    return f;
}

// "KEY:VALUE" parts of a ';'-separated stamp (Forefront, X-Microsoft-Antispam,
// Mailbox-Delivery).
std::vector<SecurityField> coded_fields(const HeaderInfo& info, std::string_view value) {
    std::vector<SecurityField> out;
    out.reserve(16);  // a Forefront report has a dozen or so fields
    split_top(value, ';', [&](std::string_view part) {
        if (part.empty() || out.size() >= kMaxFieldsPerGroup) return;
        auto colon = part.find(':');
        std::string_view key = trim(part.substr(0, colon));
        std::string_view val = colon == std::string_view::npos ? std::string_view() : trim(part.substr(colon + 1));
        out.push_back(field(info, key, val));
    });
    return out;
}

}  // namespace

std::string_view auth_method_label(std::string_view m) {
    // By length first: each comparison is then of a known size.
    auto is = [&](const char* word) { return std::memcmp(m.data(), word, m.size()) == 0; };
    switch (m.size()) {
        case 3:
            if (is("spf")) return "SPF";
            if (is("arc")) return "ARC";
            break;
        case 4:
            if (is("dkim")) return "DKIM";
            break;
        case 5:
            if (is("dmarc")) return "DMARC";
            break;
        case 8:
            if (is("compauth")) return "Composite auth";
            break;
        default:
            break;
    }
    return m;
}

namespace {

// "with IP 40.107.8.131 (mail from contoso.com)", in the style of Gmail's
// summary, appended to `s`.
void append_details(const AuthResult& r, std::string& s) {
    using namespace std::string_view_literals;
    auto prop = [&](std::string_view k) -> const std::string_view* {
        for (const auto& [pk, pv] : r.properties)
            if (iequals(pk, k)) return &pv;
        return nullptr;
    };
    const std::size_t start = s.size();
    auto none = [&] { return s.size() == start; };
    if (r.method == "spf") {
        std::string_view c = r.reason.value_or(std::string_view());
        for (std::string_view marker : {"sender IP is "sv, "sender ip is "sv, "designates "sv}) {
            if (auto at = c.find(marker); at != std::string_view::npos) {
                auto rest = c.substr(at + marker.size());
                if (auto ip = rest.substr(0, rest.find(' ')); !ip.empty()) s.append("with IP "sv).append(ip);
                break;
            }
        }
        if (const auto* mf = prop("smtp.mailfrom"))
            s.append(none() ? ""sv : " "sv).append("(mail from "sv).append(*mf).push_back(')');
    } else if (r.method == "dkim") {
        if (const auto* d = prop("header.d"); d != nullptr && *d != "none")
            s.append("with domain "sv).append(*d);
        else if (const auto* i = prop("header.i"))
            s.append("for "sv).append(*i);
        if (const auto* sel = prop("header.s"); sel != nullptr && !none())
            s.append(" (selector "sv).append(*sel).push_back(')');
    } else if (r.method == "dmarc") {
        if (const auto* from = prop("header.from")) s.append("for "sv).append(*from);
        if (const auto* a = prop("action")) s.append(none() ? ""sv : ", "sv).append("action "sv).append(*a);
    }
}

}  // namespace

std::string auth_details(const AuthResult& r) {
    std::string s;
    append_details(r, s);
    return s;
}

void append_auth_summary(std::string& out, const AuthResult& r) {
    using namespace std::string_view_literals;
    out.append(auth_method_label(r.method)).append(": "sv).append(r.result);
    const std::size_t space = out.size();
    out.push_back(' ');
    append_details(r, out);
    if (out.size() == space + 1) out.resize(space);  // no details: no space
    if (r.method == "compauth")                      // its reason is said with its meaning, beside the details
        for (const auto& [k, v] : r.properties)
            if (iequals(k, "reason")) out.append(", reason "sv).append(v);
}

std::string auth_summary(const AuthResult& r) {
    std::string s;
    append_auth_summary(s, r);
    return s;
}

namespace {

// The address a result's comment says it checked ("(sender IP is
// 192.0.2.1)", as Exchange writes it in either case): empty when the comment
// names none ("sender IP is )"), nullopt when it says nothing of one.
std::optional<std::string_view> checked_ip(const AuthResult& r) {
    if (!r.reason) return std::nullopt;
    std::string_view c = *r.reason;
    for (std::size_t at = 0; at + 12 <= c.size(); ++at) {
        if (!iequals(c.substr(at, 12), "sender ip is")) continue;
        std::string_view rest = c.substr(at + 12);
        while (!rest.empty() &&
               (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '\r' || rest.front() == '\n'))
            rest.remove_prefix(1);
        return rest.substr(0, rest.find_first_of(" \t\r\n);"));
    }
    return std::nullopt;
}

// Whether two results checked the same sender: a comment naming no IP and
// no comment are alike.
bool same_checked_ip(const AuthResult& x, const AuthResult& y) {
    return checked_ip(x).value_or(std::string_view()) == checked_ip(y).value_or(std::string_view());
}

// Whether `set`'s results say nothing `other` does not: for every method
// both name the same result, and the same value for each property both
// name (a receiver's extra ones, smtp.rcpttodomain, aside). The results of
// methods `other` lacks go to `extra`.
bool covered_by(const AuthenticationResults& set, const AuthenticationResults& other, std::vector<std::size_t>& extra) {
    extra.clear();
    std::size_t common = 0;
    for (std::size_t i = 0; i < set.results.size(); ++i) {
        const AuthResult& x = set.results[i];
        bool named = false;
        bool matched = false;
        for (const auto& y : other.results) {
            if (x.method != y.method) continue;
            named = true;
            // Results of checks of two different senders are not the same.
            bool same = iequals(x.result, y.result) && same_checked_ip(x, y);
            for (const auto& [k, v] : x.properties)
                for (const auto& [k2, v2] : y.properties) same = same && !(iequals(k, k2) && !iequals(v, v2));
            matched = matched || same;
        }
        if (named && !matched) return false;
        if (named)
            ++common;
        else
            extra.push_back(i);
    }
    return common > 0;
}

bool same_result(const AuthResult& x, const AuthResult& y) {
    if (x.method != y.method || !iequals(x.result, y.result) || x.properties.size() != y.properties.size() ||
        !same_checked_ip(x, y))
        return false;
    for (std::size_t i = 0; i < x.properties.size(); ++i)
        if (!iequals(x.properties[i].first, y.properties[i].first) || x.properties[i].second != y.properties[i].second)
            return false;
    return true;
}

// An ARC-Seal's i=, d= and cv= ("tag=value; tag=value") in one walk: of each
// tag the first.
struct SealTags {
    std::optional<std::string_view> i;
    std::optional<std::string_view> d;
    std::optional<std::string_view> cv;
};

SealTags seal_tags(std::string_view value) {
    SealTags t;
    split_top(value, ';', [&](std::string_view part) {
        auto eq = part.find('=');
        if (eq == std::string_view::npos) return;
        std::string_view key = trim(part.substr(0, eq));
        std::optional<std::string_view>* slot = iequals(key, "i")    ? &t.i
                                                : iequals(key, "d")  ? &t.d
                                                : iequals(key, "cv") ? &t.cv
                                                                     : nullptr;
        if (slot != nullptr && !*slot) *slot = trim(part.substr(eq + 1));
    });
    return t;
}

// An SPF result whose comment gives another basis than the domain's
// published record takes that basis's row ("pass-best-guess", ...), where
// the table has one: Google's "best guess record for domain of ..." is a
// record Google made up for a domain that publishes none; "local policy" is
// the receiver's own list. Leaves `meaning` as it is otherwise.
void spf_meaning(const HeaderInfo& info, std::string_view key, std::string_view result, std::string_view comment,
                 FieldLookup& meaning) {
    std::string_view basis = icontains(comment, "best guess record") ? "-best-guess"
                             : icontains(comment, "local policy")    ? "-local-policy"
                                                                     : std::string_view();
    if (basis.empty() || result.size() > 16) return;
    std::array<char, 32> buf{};
    std::copy(result.begin(), result.end(), buf.begin());
    std::copy(basis.begin(), basis.end(), buf.begin() + static_cast<std::ptrdiff_t>(result.size()));
    FieldLookup m = field_meaning(info, key, std::string_view(buf.data(), result.size() + basis.size()));
    if (m.value != nullptr) meaning = m;
}

// Received-SPF: "Pass (comment) client-ip=...; helo=...;" (RFC 7208, 9.1).
std::vector<SecurityField> received_spf_fields(const HeaderInfo& info, std::string_view value) {
    std::vector<SecurityField> out;
    value = trim(value);
    std::size_t word = find_any(value, " \t(;");
    out.push_back(field(info, "result", value.substr(0, word)));
    std::string_view rest = value.substr(word);
    rest = trim(rest);
    if (rest.starts_with('(')) {
        std::size_t close = closing_paren(rest, 0);
        std::string_view comment = rest.substr(1, std::min(close, rest.size()) - 1);
        spf_meaning(info, "result", out.front().value, comment, out.front().meaning);
        out.push_back(field(info, "comment", comment));
        rest = close < rest.size() ? rest.substr(close + 1) : std::string_view();
    }
    // key=value pairs, ';' or white space between them
    std::size_t pos = 0;
    while (pos < rest.size() && out.size() < kMaxFieldsPerGroup) {
        while (pos < rest.size() && (rest[pos] == ' ' || rest[pos] == ';' || rest[pos] == '\t')) ++pos;
        std::size_t end = find_any(rest, " ;\t", pos);
        std::string_view part = rest.substr(pos, end - pos);
        if (auto eq = part.find('='); eq != std::string_view::npos && eq > 0)
            out.push_back(field(info, part.substr(0, eq), part.substr(eq + 1)));
        pos = end;
    }
    return out;
}

// White-space separated key=value words; a word without '=' continues the
// value before it ("tests=A,B, C" unfolded). `first` reads the leading word
// ("No," of X-Spam-Status) as the verdict.
std::vector<SecurityField> word_fields(const HeaderInfo& info, std::string_view value, bool verdict_first) {
    std::vector<SecurityField> out;
    value = trim(value);
    std::size_t pos = 0;
    if (verdict_first) {
        std::size_t end = find_any(value, ", \t");
        out.push_back(field(info, "verdict", value.substr(0, end)));
        pos = end;
    }
    while (pos < value.size() && out.size() < kMaxFieldsPerGroup) {
        while (pos < value.size() && (value[pos] == ' ' || value[pos] == ',' || value[pos] == '\t')) ++pos;
        if (pos >= value.size()) break;
        std::size_t end = find_any(value, " \t", pos);
        std::string_view word = value.substr(pos, end - pos);
        auto eq = word.find('=');
        if (eq != std::string_view::npos && eq > 0 && word[eq + 1 < word.size() ? eq + 1 : eq] == '[') {
            // a bracketed list (amavis's "tests=[A=1, B=2]") runs to its ']'
            std::size_t close = value.find(']', pos + eq);
            end = close == std::string_view::npos ? value.size() : close + 1;
            out.push_back(field(info, word.substr(0, eq), value.substr(pos + eq + 1, end - pos - eq - 1)));
        } else if (eq != std::string_view::npos && eq > 0) {
            out.push_back(field(info, word.substr(0, eq), word.substr(eq + 1)));
        } else if (!out.empty() && !out.back().value.empty() && out.back().key != "verdict") {
            // the value goes on: widen the view over the words between
            const char* start = out.back().value.data();
            out.back().value = std::string_view(start, static_cast<std::size_t>(value.data() + end - start));
        }
        pos = end;
    }
    return out;
}

// X-Spamd-Result: "default: False [-3.76 / 15.00]; SYMBOL(score)[options]; ...".
std::vector<SecurityField> spamd_fields(const HeaderInfo& info, std::string_view value) {
    std::vector<SecurityField> out;
    auto semi = value.find(';');
    std::string_view head = trim(value.substr(0, semi));
    std::string_view symbols = semi == std::string_view::npos ? std::string_view() : trim(value.substr(semi + 1));
    auto colon = head.find(':');
    auto open = head.find('[');
    auto slash = head.find('/', open == std::string_view::npos ? 0 : open);
    auto close = head.find(']', open == std::string_view::npos ? 0 : open);
    if (colon != std::string_view::npos && open != std::string_view::npos && colon < open)
        out.push_back(field(info, "verdict", trim(head.substr(colon + 1, open - colon - 1))));
    if (open != std::string_view::npos && slash != std::string_view::npos && close != std::string_view::npos &&
        open < slash && slash < close) {
        out.push_back(field(info, "score", trim(head.substr(open + 1, slash - open - 1))));
        out.push_back(field(info, "threshold", trim(head.substr(slash + 1, close - slash - 1))));
    }
    if (!symbols.empty()) out.push_back(field(info, "symbols", symbols));
    return out;
}

enum class Family {
    authentication,  // Authentication-Results, X-MS-Exchange-Authentication-Results
    arc_results,
    arc_seal,
    received_spf,
    coded,  // KEY:VALUE;...
    spam_status,
    spamd_result,
    key_values,  // key=value words
    identifier,
    single,
};

Family family_of(std::string_view name) {
    if (name == "Authentication-Results" || name == "X-MS-Exchange-Authentication-Results")
        return Family::authentication;
    if (name == "ARC-Authentication-Results") return Family::arc_results;
    if (name == "ARC-Seal") return Family::arc_seal;
    if (name == "Received-SPF") return Family::received_spf;
    if (name == "X-Forefront-Antispam-Report" || name == "X-Microsoft-Antispam" ||
        name == "X-Microsoft-Antispam-Mailbox-Delivery")
        return Family::coded;
    if (name == "X-Spam-Status") return Family::spam_status;
    if (name == "X-Spamd-Result") return Family::spamd_result;
    if (name == "X-Proofpoint-Spam-Details") return Family::key_values;
    if (name == "X-MS-Exchange-Organization-Network-Message-Id" ||
        name == "X-MS-Exchange-CrossTenant-Network-Message-Id" || name == "X-MS-Exchange-CrossTenant-Id" ||
        name == "X-MS-Exchange-Transport-EndToEndLatency")
        return Family::identifier;
    return Family::single;
}

// family_of for each header of the table, by rank: worked out once.
Family family_by_rank(const HeaderInfo& info) {
    static const std::vector<Family> families = [] {
        std::vector<Family> out;
        for (std::size_t rank = 0; const HeaderInfo* h = header_by_rank(rank); ++rank)
            out.push_back(family_of(h->name));
        return out;
    }();
    return info.rank < families.size() ? families[info.rank] : family_of(info.name);
}

// The one field of a one-value header's value, labelled with the header's name.
SecurityField single_field(const HeaderInfo& info, std::string_view value) {
    SecurityField f = field(info, "=", value);
    f.key = info.name;
    return f;
}

// Outlook.com's consumer tenant stamps AuthAs "Anonymous" and
// FromEntityHeader "Internet" on mail its own users write in their mailboxes
// (observed on every such message in the shared corpus, each with the
// mailbox's mapi stamp): there they do not mean an unauthenticated sender.
std::optional<std::string_view> consumer_mailbox_value(const HeaderInfo& info, std::string_view value) {
    value = trim(value);
    if ((info.name == "X-MS-Exchange-CrossTenant-AuthAs" || info.name == "X-MS-Exchange-Organization-AuthAs") &&
        iequals(value, "Anonymous"))
        return "Anonymous-consumer-mailbox";
    if (info.name == "X-MS-Exchange-CrossTenant-FromEntityHeader" && iequals(value, "Internet"))
        return "Internet-consumer-mailbox";
    return std::nullopt;
}

void consumer_mailbox_meaning(const HeaderInfo& info, SecurityField& f) {
    if (auto row = consumer_mailbox_value(info, f.value)) {
        FieldLookup m = field_meaning(info, "=", *row);
        if (m.value != nullptr) f.meaning.value = m.value;
    }
}

void mark_consumer_mailbox(SecurityReport& r, bool fields) {
    for (auto& g : r.groups) {
        if (g.info == nullptr || !std::ranges::any_of(g.raw, [&](std::string_view v) {
                return consumer_mailbox_value(*g.info, v).has_value();
            }))
            continue;
        g.consumer_mailbox = true;
        if (fields)
            for (auto& f : g.fields) consumer_mailbox_meaning(*g.info, f);
    }
}

// A Received-SPF result Exchange Online wrote before any check.
void unchecked_spf_meaning(const HeaderInfo& info, SecurityField& result) {
    if (result.key != "result" || !iequals(result.value, "none")) return;
    FieldLookup m = field_meaning(info, "result", "none-unchecked");
    if (m.value != nullptr) result.meaning = m;
}

// A Forefront report's fields read with the others of the same report: the
// SCL of outbound mail (DIR:OUT) by the outbound spam policy, whose spam
// goes out through the high-risk delivery pool instead of a Junk Email
// folder; and IPV:CAL, documented as the IP Allow List that skips spam
// filtering, where the same report's SFV says filtering ran (NSPM, SPM): an
// allow list's mark without the skip (observed on mail from the
// organisation's own servers through an on-premises inbound connector).
void read_forefront_in_context(const HeaderInfo& info, std::vector<SecurityField>& fields) {
    auto value_of = [&](std::string_view key) -> std::string_view {
        for (const auto& f : fields)
            if (iequals(f.key, key)) return f.value;
        return {};
    };
    // A report holding two SCL fields (an earlier pass's kept beside the
    // later one, as after a round trip through a gateway's connector) does
    // not say which the direction describes, nor which pass each records;
    // an SCL of -1 in it says filtering was skipped, as CAL does.
    std::size_t scls = 0;
    bool skipped = false;
    for (const auto& f : fields)
        if (iequals(f.key, "SCL")) {
            ++scls;
            skipped = skipped || trim(f.value) == "-1";
        }
    // Each of two SCLs is read without a direction's disposition.
    const bool twice = scls > 1;
    const bool outbound = iequals(value_of("DIR"), "OUT") && scls == 1;
    std::string_view sfv = value_of("SFV");
    const bool filtered = (iequals(sfv, "NSPM") || iequals(sfv, "SPM")) && !skipped;
    if (!outbound && !filtered && !twice) return;
    for (auto& f : fields) {
        FieldLookup m;
        if (twice && iequals(f.key, "SCL"))
            m = field_meaning(info, "SCL-twice", f.value);
        else if (outbound && iequals(f.key, "SCL"))
            m = field_meaning(info, "SCL-outbound", f.value);
        else if (filtered && iequals(f.key, "IPV") && iequals(f.value, "CAL"))
            m = field_meaning(info, "IPV", "CAL-filtered");
        if (m.value != nullptr) f.meaning.value = m.value;
    }
}

// The fields of a value of a header of one of the families that hold
// fields (one value makes its group), else none.
std::vector<SecurityField> value_fields(Family family, const HeaderInfo& info, std::string_view value) {
    switch (family) {
        case Family::received_spf:
            return received_spf_fields(info, value);
        case Family::coded: {
            auto fields = coded_fields(info, value);
            if (info.name == "X-Forefront-Antispam-Report") read_forefront_in_context(info, fields);
            return fields;
        }
        case Family::spam_status: {
            auto fields = word_fields(info, value, true);
            // A bare verdict ("X-Spam-Status: Yes", as MailScanner writes it)
            // names no score: its own row, not "the score reached ...".
            if (fields.size() == 1 && fields.front().key == "verdict") {
                const SecurityField& v = fields.front();
                std::string bare = std::string(v.value.substr(0, 8)) + "-bare";
                FieldLookup m = field_meaning(info, "verdict", bare);
                if (m.value != nullptr) fields.front().meaning = m;
            }
            return fields;
        }
        case Family::spamd_result:
            return spamd_fields(info, value);
        case Family::key_values:
            return word_fields(info, value, false);
        default:
            return {};
    }
}

SecurityGroup& group_for(SecurityReport& r, const HeaderInfo* info, std::string_view raw, bool per_value) {
    // One group per distinct value for headers whose values each stand alone.
    for (auto& g : r.groups)
        if (g.info == info && (!per_value || std::ranges::find(g.raw, raw) != g.raw.end())) return g;
    SecurityGroup& g = r.groups.emplace_back();
    g.info = info;
    return g;
}

}  // namespace

const SecurityGroup* SecurityReport::find(std::string_view header) const {
    for (const auto& g : groups)
        if (g.info != nullptr && iequals(g.info->name, header)) return &g;
    return nullptr;
}

std::vector<SecurityField> parse_forefront_report(std::string_view value) {
    const HeaderInfo* info = header_info("X-Forefront-Antispam-Report");
    return info != nullptr ? coded_fields(*info, value) : std::vector<SecurityField>{};
}

namespace {

// Exchange Online's stamp on its own senders' mail, before any check: no
// authserv-id, or the recipient's domain in its place with a DKIM result
// for "header.d=none" (a domain no checker names); and no SPF result or one
// whose comment names no sender IP ("spf=none (sender IP is )"). Or its
// ARC set on that mail, by mx.microsoft.com, of bare "none" results. EOP's
// inbound results carry no authserv-id either, but their SPF comment names
// the IP it checked.
bool unchecked_stamp(const AuthenticationResults& a) {
    // Its ARC set on the same mail, by "mx.microsoft.com": every result a
    // bare "none" ("spf=none; dmarc=none; dkim=none; arc=none").
    if (a.authserv_id && iequals(*a.authserv_id, "mx.microsoft.com"))
        return !a.results.empty() && std::ranges::all_of(a.results, [](const AuthResult& r) {
            return iequals(r.result, "none") && !r.reason && r.properties.empty();
        });
    auto domain_none = [](const AuthResult& r) {
        return r.method == "dkim" && std::ranges::any_of(r.properties, [](const auto& p) {
                   return iequals(p.first, "header.d") && iequals(p.second, "none");
               });
    };
    if (a.authserv_id && !std::ranges::any_of(a.results, domain_none)) return false;
    for (const auto& r : a.results) {
        if (r.method != "spf") continue;
        auto ip = checked_ip(r);
        return ip && ip->empty();
    }
    return true;
}

// Exchange Online's ARC set on its own senders' outgoing mail: by
// mx.microsoft.com, its SPF result naming no sender IP (its checks of
// inbound mail say "sender ip is X"). Its results are what it asserts for
// mail written in the tenant ("dkim=pass header.d=contoso.com" on mail
// signed only for contoso.onmicrosoft.com), not checks (observed).
bool microsoft_outbound_stamp(const AuthenticationResults& a) {
    if (!a.authserv_id || !iequals(*a.authserv_id, "mx.microsoft.com")) return false;
    bool spf = false;
    for (const auto& r : a.results) {
        if (r.method != "spf") continue;
        spf = true;
        auto ip = checked_ip(r);
        if (ip && !ip->empty()) return false;
    }
    return spf;
}

// Exchange Online's Received-SPF on its own senders' mail: "None
// (protection.outlook.com: microsoft.com does not designate permitted sender
// hosts)", with no client-ip, written before any check and saying nothing
// of the domain's record (observed: the domain's mail passes SPF elsewhere).
// Known by its unchecked Authentication-Results stamp for the same domain
// ("spf=none (sender IP is ) smtp.mailfrom=decui@microsoft.com"), or by
// another Received-SPF of the message that checked the same domain's record
// ("domain of sports-group.dk designates 40.107.13.122"): a domain with a
// record has no "None". EOP's inbound None, for a domain with no record,
// keeps its meaning. Decided from the raw values, so every writer (and
// group_fields) gives the same answer.
constexpr std::string_view kEopSpf = "protection.outlook.com:";

// The domain a Received-SPF of protection.outlook.com says "None" for, when
// it names no client IP: "microsoft.com".
std::optional<std::string_view> eop_spf_none_domain(std::string_view raw) {
    raw = trim(raw);
    if (raw.size() < 4 || !iequals(raw.substr(0, 4), "None")) return std::nullopt;
    std::string_view rest = trim(raw.substr(4));
    if (!rest.starts_with('(')) return std::nullopt;
    std::size_t close = closing_paren(rest, 0);
    if (close >= rest.size()) return std::nullopt;
    if (icontains(rest.substr(close), "client-ip")) return std::nullopt;
    std::string_view comment = trim(rest.substr(1, close - 1));
    if (comment.size() < kEopSpf.size() || !iequals(comment.substr(0, kEopSpf.size()), kEopSpf)) return std::nullopt;
    std::string_view said = trim(comment.substr(kEopSpf.size()));
    return said.substr(0, said.find_first_of(" \t\r\n"));
}

void mark_unchecked_received_spf(SecurityReport& r, bool fields) {
    std::vector<std::size_t> candidates;
    for (std::size_t k = 0; k < r.groups.size(); ++k)
        if (r.groups[k].info != nullptr && r.groups[k].info->name == "Received-SPF" && !r.groups[k].raw.empty() &&
            eop_spf_none_domain(r.groups[k].raw.front()))
            candidates.push_back(k);
    if (candidates.empty()) return;
    std::vector<std::string_view> said_none_for;
    // The domain of an SPF result's smtp.mailfrom in Exchange Online's own
    // stamp written before any check.
    auto add_mailfrom = [&](const AuthenticationResults& a) {
        for (const auto& res : a.results)
            if (res.method == "spf")
                for (const auto& [key, value] : res.properties)
                    if (iequals(key, "smtp.mailfrom")) {
                        auto at = value.rfind('@');
                        said_none_for.push_back(at == std::string_view::npos ? value : value.substr(at + 1));
                    }
    };
    for (const auto& g : r.groups) {
        if (g.info == nullptr) continue;
        if (g.info->name == "Received-SPF" && !g.raw.empty()) {
            // Another check of the domain's record: "Pass (protection.outlook.com: domain of X designates ...".
            std::string_view raw = g.raw.front();
            constexpr std::string_view kOf = "domain of ";
            auto of = raw.find(kOf);
            std::string_view word = trim(raw).substr(0, trim(raw).find_first_of(" \t("));
            if (of == std::string_view::npos || !(iequals(word, "pass") || iequals(word, "fail") ||
                                                  iequals(word, "softfail") || iequals(word, "neutral")))
                continue;
            std::string_view rest = raw.substr(of + kOf.size());
            std::string_view domain = rest.substr(0, rest.find_first_of(" \t\r\n"));
            if (domain.find('.') != std::string_view::npos) said_none_for.push_back(domain);
            continue;
        }
        if (g.authentication() && g.auth.header == "Authentication-Results" && unchecked_stamp(g.auth))
            add_mailfrom(g.auth);
    }
    // Its ARC set on the same mail, by mx.microsoft.com with no sender IP
    // ("spf=pass smtp.mailfrom=ufl.edu"): its assertion, not a check.
    for (const auto& set : r.arc.sets)
        if (set.results && microsoft_outbound_stamp(*set.results)) add_mailfrom(*set.results);
    for (std::size_t k : candidates) {
        SecurityGroup& g = r.groups[k];
        std::string_view domain = *eop_spf_none_domain(g.raw.front());
        if (!std::ranges::any_of(said_none_for, [&](std::string_view d) { return iequals(d, domain); })) continue;
        g.unchecked_spf = true;
        if (fields && !g.fields.empty()) unchecked_spf_meaning(*g.info, g.fields.front());
    }
}

}  // namespace

FieldLookup result_meaning(const HeaderInfo& info, const AuthenticationResults& a, const AuthResult& r) {
    if (iequals(r.result, "none") && unchecked_stamp(a)) {
        FieldLookup m = field_meaning(info, r.method, "none-unchecked");
        if (m.value != nullptr) return m;
    }
    if (a.signed_now && r.method == "dkim" && iequals(r.result, "none")) {
        FieldLookup m = field_meaning(info, r.method, "none-signed-now");
        if (m.value != nullptr) return m;
    }
    if (iequals(r.result, "pass") && microsoft_outbound_stamp(a)) {
        FieldLookup m = field_meaning(info, r.method, "pass-stamped");
        if (m.value != nullptr) return m;
    }
    FieldLookup m = field_meaning(info, r.method, r.result);
    if (r.method == "spf" && r.reason) spf_meaning(info, r.method, r.result, *r.reason, m);
    return m;
}

AuthenticationResults parse_authentication_results(std::string_view header, std::string_view value) {
    AuthenticationResults ar;
    ar.header = header;
    thread_local std::vector<std::string_view> parts;
    parts.clear();
    split_top(value, ';', [](std::string_view p) { parts.push_back(p); });
    std::size_t i = 0;
    if (!parts.empty() && parts[0].starts_with("i=")) {  // ARC: i=N; authserv-id; ...
        ar.arc_instance = to_int(parts[0].substr(2));
        ++i;
    }
    if (i < parts.size() && parts[i].find('=') == std::string_view::npos) {
        std::string_view id = parts[i];
        ar.authserv_id = id.substr(0, id.find(' '));
        ++i;
    }
    ar.results.reserve(parts.size() - i);
    for (; i < parts.size(); ++i) {
        std::string_view p = parts[i];
        auto eq = p.find('=');
        if (eq == std::string_view::npos) continue;
        AuthResult r;
        // smtp.mailfrom, header.d, header.from ...: one allocation, not three
        // (none for a result without properties, "arc=none").
        if (p.find('=', eq + 1) != std::string_view::npos) r.properties.reserve(4);
        r.method = std::string(trim(p.substr(0, eq)));
        for (char& c : r.method)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        std::string_view rest = p.substr(eq + 1);
        std::size_t sp = rest.find_first_of(" (");
        r.result = rest.substr(0, sp);
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
        // The first comment is the reason; the words around it are properties.
        std::string_view before = rest;
        std::string_view after;
        if (auto open = rest.find('('); open != std::string_view::npos) {
            std::size_t close = closing_paren(rest, open);
            r.reason = rest.substr(open + 1, close - open - 1);
            before = rest.substr(0, open);
            after = close < rest.size() ? rest.substr(close + 1) : std::string_view();
        }
        auto add_words = [&r](std::string_view words) {
            std::size_t pos = 0;
            while (pos < words.size()) {
                while (pos < words.size() && words[pos] == ' ') ++pos;
                std::size_t end = words.find(' ', pos);
                if (end == std::string_view::npos) end = words.size();
                std::string_view word = words.substr(pos, end - pos);
                if (auto e = word.find('='); e != std::string_view::npos && e > 0) {
                    std::string_view v = word.substr(e + 1);
                    if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
                        v = v.substr(1, v.size() - 2);  // a quoted-string
                    r.properties.emplace_back(word.substr(0, e), v);
                }
                pos = end;
            }
        };
        if (after.empty() || before.empty() || before.back() == ' ' || after.front() == ' ') {
            add_words(before);
            add_words(after);
        } else {
            // The comment sat inside a word: without it the two halves meet,
            // as in the text.
            std::size_t head = before.rfind(' ') + 1;  // 0 when before is one word
            std::size_t tail = std::min(after.find(' '), after.size());
            add_words(before.substr(0, head));
            const auto& word = ar.joined.emplace_back(
                std::make_unique<const std::string>(std::string(before.substr(head)).append(after.substr(0, tail))));
            add_words(*word);
            add_words(after.substr(tail));
        }
        if (r.method.empty() || r.result.empty()) continue;
        ar.results.push_back(std::move(r));
    }
    return ar;
}

std::uint64_t security_value_hash(std::uint64_t seed, std::string_view value) {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15ULL;
    std::uint64_t h = (seed + 1) * k ^ value.size();
    const char* p = value.data();
    const std::size_t n = value.size();
    auto mix = [&](const char* at) {
        std::uint64_t x = 0;
        std::memcpy(&x, at, 8);
        h = (h ^ x) * k;
        h ^= h >> 29;
    };
    if (n > 64) {  // eight words spread over it, the last one its end
        const std::size_t step = (n - 8) / 7;
        for (std::size_t i = 0; i < 7; ++i) mix(p + i * step);
        mix(p + n - 8);
    } else {
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) mix(p + i);
        for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * k;
    }
    return h ^ (h >> 32);
}

namespace {

// The results of the values parsed lately, by header and value: a mailbox's
// receivers stamp the same results again and again. The results kept view
// the memo's own copy of the value; a caller gets a copy viewing its value
// (the same bytes at the same places). Results with a word rejoined around
// a comment (views of other text) are not kept, nor a value the first time
// it is seen (most are seen once). Direct-mapped, so bounded: kSlots values
// of at most kMaxValue bytes.
class ResultsMemo {
  public:
    static constexpr std::size_t kSlots = 128;
    static constexpr std::size_t kMaxValue = 4096;

    AuthenticationResults parse(std::string_view header, std::string_view value) {
        if (value.size() > kMaxValue) return parse_authentication_results(header, value);
        const std::uint64_t h = security_value_hash(reinterpret_cast<std::uintptr_t>(header.data()), value);
        Slot& s = slots_[h % kSlots];
        if (s.hash == h && s.header.data() == header.data() && s.header.size() == header.size() && s.value == value)
            return copy(s.results, s.value, value);
        AuthenticationResults ar = parse_authentication_results(header, value);
        if (s.seen != h) {  // kept the second time it is seen: most values are seen once
            s.seen = h;
        } else if (ar.joined.empty()) {
            s.hash = h;
            s.header = header;
            s.value.assign(value);
            s.results = copy(ar, value, s.value);
        }
        return ar;
    }

  private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint64_t seen = 0;  // the hash of the last value not kept
        std::string_view header;
        std::string value;
        AuthenticationResults results;  // views of `value`
    };

    // `a` (viewing `from`, but for its header) viewing `to` instead.
    static AuthenticationResults copy(const AuthenticationResults& a, std::string_view from, std::string_view to) {
        auto move = [&](std::string_view v) {
            return std::string_view(to.data() + (v.data() - from.data()), v.size());
        };
        AuthenticationResults out;
        out.header = a.header;
        if (a.authserv_id) out.authserv_id = move(*a.authserv_id);
        out.arc_instance = a.arc_instance;
        out.results.reserve(a.results.size());
        for (const AuthResult& r : a.results) {
            AuthResult& x = out.results.emplace_back();
            x.method = r.method;
            x.result = move(r.result);
            if (r.reason) x.reason = move(*r.reason);
            x.properties.reserve(r.properties.size());
            for (const auto& [k, v] : r.properties) x.properties.emplace_back(move(k), move(v));
        }
        return out;
    }

    std::array<Slot, kSlots> slots_;
};

// parse_authentication_results through the thread's memo.
AuthenticationResults parse_results(std::string_view header, std::string_view value) {
    thread_local ResultsMemo memo;
    return memo.parse(header, value);
}

}  // namespace

std::optional<int> arc_instance(std::string_view value) {
    // The first part as split_top gives it: up to the first ';' outside
    // comments, trimmed (a value of white space alone has no part).
    std::optional<std::string_view> first;
    int depth = 0;
    for (std::size_t i = 0; i < value.size() && !first; ++i) {
        char c = value[i];
        if (c == '(') ++depth;
        if (c == ')' && depth > 0) --depth;
        if (c == ';' && depth == 0) first = trim(value.substr(0, i));
    }
    if (!first) {
        first = trim(value);
        if (first->empty()) return std::nullopt;
    }
    if (!first->starts_with("i=")) return std::nullopt;
    return to_int(first->substr(2));
}

std::string_view auth_mechanism_name(std::string_view code) {
    // Two hex digits, not documented by Microsoft: the table's rows (as read
    // from Exchange's own code) name them before their first ':' or ' '.
    static const HeaderInfo* info = header_info("X-MS-Exchange-Organization-AuthMechanism");
    code = trim(code);
    if (info == nullptr || code.size() != 2) return {};
    const FieldMeaning* row = field_meaning(*info, "=", code).value;
    if (row == nullptr) return {};
    return row->text.substr(0, row->text.find_first_of(": "));
}

std::optional<std::string> attributed_ip(std::string_view value) {
    // "TenantId=...;Ip=[203.0.113.7];Helo=[relay.contoso.com]"
    for (std::string_view rest = value; !rest.empty();) {
        auto semi = rest.find(';');
        std::string_view part = trim(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
        auto eq = part.find('=');
        if (eq == std::string_view::npos || !iequals(trim(part.substr(0, eq)), "Ip")) continue;
        return ip_from_literal(trim(part.substr(eq + 1)));
    }
    return std::nullopt;
}

std::optional<std::int64_t> latency_ms(std::string_view value) {
    // [d.]hh:mm:ss[.fraction]
    value = trim(value);
    std::int64_t days = 0;
    auto colon = value.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    if (auto dot = value.substr(0, colon).find('.'); dot != std::string_view::npos) {
        auto d = to_int(value.substr(0, dot));
        if (!d || *d < 0) return std::nullopt;
        days = *d;
        value.remove_prefix(dot + 1);
        colon = value.find(':');
    }
    auto second = value.find(':', colon + 1);
    if (second == std::string_view::npos) return std::nullopt;
    auto h = to_int(value.substr(0, colon));
    auto m = to_int(value.substr(colon + 1, second - colon - 1));
    std::string_view secs = value.substr(second + 1);
    auto dot = secs.find('.');
    auto s = to_int(secs.substr(0, dot));
    if (!h || !m || !s || *h < 0 || *m < 0 || *m > 59 || *s < 0 || *s > 59 || *h > 1000000) return std::nullopt;
    std::int64_t ms = 0;
    if (dot != std::string_view::npos) {
        std::string_view frac = secs.substr(dot + 1);
        std::int64_t scale = 100;
        for (char c : frac.substr(0, 3)) {
            if (c < '0' || c > '9') return std::nullopt;
            ms += (c - '0') * scale;
            scale /= 10;
        }
    }
    return ((days * 24 + *h) * 3600 + std::int64_t{*m} * 60 + *s) * 1000 + ms;
}

std::string arc_seal_without_signature(std::string_view value) {
    // Each tag is unfolded on its own, so the signature (most of the bytes)
    // never is. White space holds no ';' or '(': the tags are those of the
    // unfolded value, and each unfolds to what it is there.
    std::string out;
    out.reserve(96);
    split_top(
        value, ';',
        [&](std::string_view part) {
            auto eq = part.find('=');
            if (eq != std::string_view::npos && iequals(trim_folded(part.substr(0, eq)), "b")) return;
            if (!out.empty()) out.append("; ");
            // Most tags are one line without a run of white space: as they stand.
            bool plain = true;
            for (std::size_t k = 0; k < part.size() && plain; ++k)
                plain = part[k] != '\t' && part[k] != '\r' && part[k] != '\n' &&
                        (part[k] != ' ' || k == 0 || part[k - 1] != ' ');
            if (plain)
                out.append(part);
            else
                out.append(unfold_collapsed(part));
        },
        trim_folded);
    return out;
}

bool is_security_header(std::string_view name) {
    return header_info(name) != nullptr;  // by the name's length first: most fields have a length no header has
}

std::vector<SecurityField> group_fields(const SecurityGroup& g) {
    if (g.info == nullptr || g.raw.empty()) return {};
    const Family family = family_by_rank(*g.info);
    if (family != Family::single) {
        auto fields = value_fields(family, *g.info, g.raw.front());
        if (g.unchecked_spf && !fields.empty()) unchecked_spf_meaning(*g.info, fields.front());
        return fields;
    }
    std::vector<SecurityField> out;
    out.reserve(g.raw.size());
    for (std::string_view value : g.raw) out.push_back(single_field(*g.info, value));
    if (g.consumer_mailbox)
        for (auto& f : out) consumer_mailbox_meaning(*g.info, f);
    return out;
}

SecurityReport decode_security(const std::vector<SignalHeader>& signals, SecurityDecode how, SecurityContext context) {
    const bool fields = how == SecurityDecode::full;
    SecurityReport r;
    // The signals in the order their groups are shown (the table's order of
    // headers; a header's values in the message's order), so each group is
    // made in its place and none is moved after. The ARC sets and the
    // identifiers make no group: first, in the message's order (the ARC
    // headers' order between them decides which sets are kept).
    struct Signal {
        std::size_t key = 0;
        const HeaderInfo* info = nullptr;
        Family family = Family::single;
        std::string_view value;
    };
    thread_local std::vector<Signal> order;
    order.clear();
    std::size_t grouped = 0;
    for (const auto& s : signals) {
        const HeaderInfo* info = header_info(s.name);
        if (info == nullptr) continue;  // a signal classification reads (Sender, List-Id, ...)
        const Family family = family_by_rank(*info);
        const bool groups = family != Family::arc_results && family != Family::arc_seal && family != Family::identifier;
        grouped += groups ? 1 : 0;
        order.push_back({groups ? info->rank + 1 : 0, info, family, s.value});
    }
    // Mostly a handful: an insertion sort then (stable, and no buffer to allocate).
    if (order.size() > 16) {
        std::ranges::stable_sort(order, {}, &Signal::key);
    } else {
        for (std::size_t i = 1; i < order.size(); ++i) {
            Signal x = order[i];
            std::size_t at = i;
            for (; at > 0 && order[at - 1].key > x.key; --at) order[at] = order[at - 1];
            order[at] = x;
        }
    }
    r.groups.reserve(grouped);
    for (const Signal& sig : order) {
        const HeaderInfo* info = sig.info;
        std::string_view value = sig.value;
        const Family family = sig.family;
        switch (family) {
            case Family::authentication: {
                AuthenticationResults ar = parse_results(info->name, value);
                ar.header = info->name;
                SecurityGroup* g = nullptr;
                for (auto& x : r.groups)
                    if (x.info == info && x.auth.authserv_id == ar.authserv_id) g = &x;
                if (g == nullptr) {
                    g = &r.groups.emplace_back();
                    g->info = info;
                    g->auth = std::move(ar);
                    g->raw.push_back(value);
                    break;
                }
                // The same receiver again: each result once.
                if (std::ranges::find(g->raw, value) == g->raw.end()) g->raw.push_back(value);
                for (std::size_t i = 0; i < ar.results.size(); ++i) {
                    bool seen = std::ranges::any_of(g->auth.results,
                                                    [&](const AuthResult& x) { return same_result(x, ar.results[i]); });
                    if (seen) continue;
                    g->auth.results.push_back(std::move(ar.results[i]));
                }
                for (auto& w : ar.joined) g->auth.joined.push_back(std::move(w));
                break;
            }
            case Family::arc_results:
            case Family::arc_seal: {
                bool seal = family == Family::arc_seal;
                SealTags tags = seal ? seal_tags(value) : SealTags{};
                std::optional<int> instance;
                AuthenticationResults ar;
                if (seal) {
                    if (tags.i) instance = to_int(*tags.i);
                } else {
                    ar = parse_results(info->name, value);
                    ar.header = info->name;
                    instance = ar.arc_instance;
                }
                if (!instance || *instance < 1) break;
                auto set = std::ranges::find_if(r.arc.sets, [&](const ArcSet& x) { return x.instance == *instance; });
                if (set == r.arc.sets.end()) {
                    if (r.arc.sets.size() >= kMaxArcSets) break;
                    set = r.arc.sets.insert(r.arc.sets.end(), ArcSet{});
                    set->instance = *instance;
                }
                if (seal && !set->cv) {
                    set->sealed_by = tags.d;
                    set->cv = tags.cv;
                    if (set->cv) set->cv_meaning = field_meaning(*info, "cv", *set->cv);
                } else if (!seal && !set->results) {
                    set->results = std::move(ar);
                }
                break;
            }
            case Family::received_spf: {
                SecurityGroup& g = group_for(r, info, value, true);
                if (!g.raw.empty()) break;  // the same check recorded twice
                g.raw.push_back(value);
                if (fields) g.fields = value_fields(family, *info, value);
                break;
            }
            case Family::coded:
            case Family::spam_status:
            case Family::spamd_result:
            case Family::key_values: {
                SecurityGroup& g = group_for(r, info, value, true);
                if (!g.raw.empty()) break;
                g.raw.push_back(value);
                if (fields) g.fields = value_fields(family, *info, value);
                break;
            }
            case Family::identifier: {
                SecurityField f = fields ? single_field(*info, value) : SecurityField{info->name, value, {}};
                if (info->name == "X-MS-Exchange-CrossTenant-Id") {
                    if (!r.ids.tenant_id) r.ids.tenant_id = f;
                } else if (info->name == "X-MS-Exchange-Transport-EndToEndLatency") {
                    if (!r.ids.end_to_end_latency) {
                        r.ids.end_to_end_latency = f;
                        r.ids.end_to_end_latency_ms = latency_ms(value);
                    }
                } else if (!r.ids.network_message_id ||
                           (info->name == "X-MS-Exchange-Organization-Network-Message-Id" &&
                            r.ids.network_message_id->key != info->name)) {
                    r.ids.network_message_id = f;  // the organisation's own, else the cross-tenant copy
                }
                break;
            }
            case Family::single: {
                SecurityGroup& g = group_for(r, info, value, false);
                if (std::ranges::find(g.raw, value) != g.raw.end() || g.raw.size() >= kMaxFieldsPerGroup) break;
                g.raw.push_back(value);
                if (fields) g.fields.push_back(single_field(*info, value));
                break;
            }
        }
    }
    mark_unchecked_received_spf(r, fields);
    if (context.dkim_signed) {
        auto mark = [](AuthenticationResults& a) {
            a.signed_now = std::ranges::any_of(
                a.results, [](const AuthResult& x) { return x.method == "dkim" && iequals(x.result, "none"); });
        };
        for (auto& g : r.groups)
            if (g.authentication()) mark(g.auth);
        for (auto& set : r.arc.sets)
            if (set.results) mark(*set.results);
    }
    if (context.written_in_mailbox && r.ids.tenant_id && consumer_tenant_id(trim(r.ids.tenant_id->value)))
        mark_consumer_mailbox(r, fields);
    if (!std::ranges::is_sorted(r.arc.sets, {}, &ArcSet::instance))
        std::ranges::sort(r.arc.sets, [](const ArcSet& a, const ArcSet& b) { return a.instance < b.instance; });
    for (std::size_t k = 0; k < r.arc.sets.size(); ++k) {
        ArcSet& set = r.arc.sets[k];
        if (!set.results) continue;
        // Results read alike only where they mean alike: Exchange Online's
        // outbound stamp asserts what another header's check found.
        const bool stamped = microsoft_outbound_stamp(*set.results);
        for (std::size_t g = 0; g < r.groups.size() && !set.same_as_group; ++g)
            if (r.groups[g].authentication() && stamped == microsoft_outbound_stamp(r.groups[g].auth) &&
                covered_by(*set.results, r.groups[g].auth, set.extra))
                set.same_as_group = g;
        for (std::size_t e = 0; e < k && !set.same_as_group && !set.same_as_set; ++e)
            if (r.arc.sets[e].results && stamped == microsoft_outbound_stamp(*r.arc.sets[e].results) &&
                covered_by(*set.results, *r.arc.sets[e].results, set.extra))
                set.same_as_set = r.arc.sets[e].instance;
        if (!set.same_as_group && !set.same_as_set) set.extra.clear();
    }
    return r;
}

bool consumer_tenant_id(std::string_view tenant_id) {
    static const HeaderInfo* const header = header_info("X-MS-Exchange-CrossTenant-Id");
    return header != nullptr && field_meaning(*header, "=", tenant_id).value != nullptr;
}

}  // namespace hopscope
