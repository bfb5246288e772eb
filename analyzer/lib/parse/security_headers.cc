#include "parse/security_headers.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <charconv>

#include "input/header_block.hh"
#include "parse/ip_address.hh"

namespace hopscope {
namespace {

struct Meaning {
    std::string_view key;
    std::string_view value;  // empty: the key's general meaning
    std::string_view text;
};

// From Microsoft's "Anti-spam message headers in Microsoft 365" reference.
constexpr std::array<Meaning, 64> kForefront = {{
    {"ARC", "", "ARC protocol fields (AAR, AMS, AS)"},
    {"CAT", "", "category of protection policy applied"},
    {"CAT", "BULK", "bulk mail"},
    {"CAT", "DIMP", "domain impersonation"},
    {"CAT", "GIMP", "mailbox intelligence based impersonation"},
    {"CAT", "HPHSH", "high confidence phishing"},
    {"CAT", "HPHISH", "high confidence phishing"},
    {"CAT", "HSPM", "high confidence spam"},
    {"CAT", "MALW", "malware"},
    {"CAT", "PHSH", "phishing"},
    {"CAT", "SPM", "spam"},
    {"CAT", "SPOOF", "spoofing"},
    {"CAT", "UIMP", "user impersonation"},
    {"CAT", "AMP", "anti-malware"},
    {"CAT", "SAP", "safe attachments"},
    {"CAT", "FTBP", "anti-malware filetype policy"},
    {"CAT", "INTOS", "intra-organisation phishing"},
    {"CAT", "OSPM", "outbound spam"},
    {"CAT", "NONE", "no policy category"},
    {"CIP", "", "connecting IP address"},
    {"CTRY", "", "country of the connecting IP address"},
    {"DIR", "", "directionality"},
    {"DIR", "INB", "inbound"},
    {"DIR", "OUT", "outbound"},
    {"DIR", "INT", "internal (intra-organisation)"},
    {"H", "", "HELO/EHLO name of the connecting server"},
    {"IPV", "", "IP reputation"},
    {"IPV", "CAL", "spam filtering skipped: the source IP is on the IP Allow List"},
    {"IPV", "NLI", "the IP address is not on any IP reputation list"},
    {"LANG", "", "language the message is written in"},
    {"MLC", "", "legacy header field"},
    {"PTR", "", "reverse DNS (PTR) name of the source IP"},
    {"SCL", "", "spam confidence level (-1 skipped, 0-1 not spam, 5-6 spam, 7-9 high confidence spam)"},
    {"SFS", "", "spam filter rules that matched (Microsoft-internal identifiers)"},
    {"SFTY", "", "safety tip applied"},
    {"SFTY", "9.19", "domain impersonation safety tip"},
    {"SFTY", "9.20", "user impersonation safety tip"},
    {"SFTY", "9.25", "first contact safety tip"},
    {"SFV", "", "spam filtering verdict"},
    {"SFV", "BLK", "filtering skipped and blocked: the sender is on a user's Blocked Senders list"},
    {"SFV", "NSPM", "not spam"},
    {"SFV", "SFE", "filtering skipped and allowed: the sender is on a user's Safe Senders list"},
    {"SFV", "SKA", "filtering skipped: the sender is on the anti-spam policy's allow list"},
    {"SFV", "SKB", "marked as spam: the sender is on the anti-spam policy's block list"},
    {"SFV", "SKI", "filtering skipped: intra-organisation mail"},
    {"SFV", "SKN", "marked not spam before filtering (for example by a mail flow rule)"},
    {"SFV", "SKQ", "released from quarantine"},
    {"SFV", "SKS", "marked as spam before filtering (for example by a mail flow rule)"},
    {"SFV", "SPM", "spam"},
    {"SFV", "SPN", "spam (outbound, high risk delivery pool)"},
    {"SRV", "", "service verdict"},
    {"SRV", "BULK", "bulk mail identified by spam filtering and the BCL threshold"},
    {"PCL", "", "phishing confidence level"},
    {"BCL", "", "bulk complaint level (0 not bulk ... 9 highest complaints)"},
    {"X-CustomSpam", "", "an Advanced Spam Filter (ASF) option matched"},
    {"EFV", "", "legacy header field"},
    {"PTR", "none", "no reverse DNS"},
    {"CTRY", "ZZ", "unknown country"},
    {"SCL", "-1", "spam filtering skipped (trusted source)"},
    {"SCL", "0", "not spam"},
    {"SCL", "1", "not spam"},
    {"SCL", "5", "spam"},
    {"SCL", "6", "spam"},
    {"SCL", "9", "high confidence spam"},
}};

constexpr std::array<Meaning, 14> kMailboxDelivery = {{
    {"ucf", "", "user custom filter verdict"},
    {"jmr", "", "junk mail rule verdict"},
    {"dest", "", "destination folder"},
    {"dest", "I", "Inbox"},
    {"dest", "J", "Junk Email"},
    {"dest", "C", "a custom folder"},
    {"dest", "D", "Deleted Items"},
    {"OFR", "", "Outlook folder rule"},
    {"OFR", "CustomRules", "a user's custom inbox rule moved it"},
    {"OFR", "TrustedSenderList", "sender on the user's Safe Senders list"},
    {"OFR", "ExclusiveSettings", "the user's 'trust only safe senders' setting"},
    {"auth", "", "authentication verdict seen at delivery"},
    {"RF", "", "rule folder"},
    {"wl", "", "allow list"},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A table's rows grouped by key (keys compare case-insensitively), built
// once: a report has a dozen fields and the table five dozen rows.
struct KeyRows {
    std::string_view key;
    std::vector<const Meaning*> rows;
};
template <const auto& Table>
const std::vector<KeyRows>& rows_by_key() {
    static const auto index = [] {
        std::vector<KeyRows> keys;
        for (const auto& row : Table) {
            auto k = std::find_if(keys.begin(), keys.end(), [&](const KeyRows& r) { return iequals(r.key, row.key); });
            if (k == keys.end()) k = keys.insert(keys.end(), KeyRows{row.key, {}});
            k->rows.push_back(&row);
        }
        return keys;
    }();
    return index;
}

template <const auto& Table>
CodedField code(std::string_view key, std::string_view value) {
    CodedField f{key, value, {}, false};
    const auto& index = rows_by_key<Table>();
    auto rows = std::find_if(index.begin(), index.end(),
                             [&](const KeyRows& r) { return r.key.size() == key.size() && iequals(r.key, key); });
    if (rows == index.end()) return f;
    f.known_key = true;
    std::string_view general;
    for (const Meaning* m : rows->rows) {
        if (m->value.empty())
            general = m->text;
        else if (iequals(m->value, value))
            f.meaning = m->text;
    }
    if (f.meaning.empty()) f.meaning = general;
    return f;
}

// Calls part(view) for each part of `s` split at `sep` outside (comments);
// parts are trimmed, and a last empty one is left out.
template <typename Part>
void split_top(std::string_view s, char sep, Part&& part) {
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
#if defined(__SSE2__)
        // Sixteen at a time up to the next '(', ')' or separator.
        while (i + 16 <= s.size()) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
            __m128i hit =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')), _mm_cmpeq_epi8(v, _mm_set1_epi8(')'))),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8(sep)));
            auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
            if (mask != 0) {
                i += static_cast<std::size_t>(__builtin_ctz(mask));
                break;
            }
            i += 16;
        }
        if (i >= s.size()) break;
#endif
        char c = s[i];
        if (c == '(') ++depth;
        if (c == ')' && depth > 0) --depth;
        if (c == sep && depth == 0) {
            part(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    if (auto last = trim(s.substr(std::min(start, s.size()))); !last.empty()) part(last);
}

// "KEY:VALUE" parts of a ';'-separated stamp, coded against Table.
template <const auto& Table>
std::vector<CodedField> coded_fields(std::string_view value) {
    std::vector<CodedField> out;
    out.reserve(16);  // a Forefront report has a dozen or so fields
    split_top(value, ';', [&](std::string_view part) {
        if (part.empty()) return;
        auto colon = part.find(':');
        std::string_view key = trim(part.substr(0, colon));
        std::string_view val = colon == std::string_view::npos ? std::string_view() : trim(part.substr(colon + 1));
        out.push_back(code<Table>(key, val));
    });
    return out;
}

std::optional<int> to_int(std::string_view s) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string_view method_label(std::string_view m) {
    if (m == "spf") return "SPF";
    if (m == "dkim") return "DKIM";
    if (m == "dmarc") return "DMARC";
    if (m == "arc") return "ARC";
    if (m == "compauth") return "Composite auth";
    return m;
}

// "SPF: pass with IP 40.107.8.131", in the style of Gmail's summary. Built
// by appending to one string: every message has a handful of these.
std::string summarise(const AuthResult& r) {
    auto prop = [&](std::string_view k) -> const std::string_view* {
        for (const auto& [pk, pv] : r.properties)
            if (iequals(pk, k)) return &pv;
        return nullptr;
    };
    std::string s;
    s.reserve(64);
    s.append(method_label(r.method)).append(": ").append(r.result);
    if (r.method == "spf") {
        std::string_view c = r.reason.value_or(std::string_view());
        for (std::string_view marker : {"sender IP is ", "designates "}) {
            if (auto at = c.find(marker); at != std::string_view::npos) {
                auto rest = c.substr(at + marker.size());
                if (auto ip = rest.substr(0, rest.find(' ')); !ip.empty()) s.append(" with IP ").append(ip);
                break;
            }
        }
        if (const auto* mf = prop("smtp.mailfrom")) s.append(" (mail from ").append(*mf).append(")");
    } else if (r.method == "dkim") {
        if (const auto* d = prop("header.d"); d != nullptr && *d != "none")
            s.append(" with domain ").append(*d);
        else if (const auto* i = prop("header.i"))
            s.append(" for ").append(*i);
    } else if (r.method == "dmarc") {
        if (const auto* from = prop("header.from")) s.append(" for ").append(*from);
        if (const auto* a = prop("action")) s.append(", action ").append(*a);
    } else if (r.method == "compauth") {
        if (const auto* reason = prop("reason")) s.append(", reason ").append(*reason);
    }
    return s;
}

}  // namespace

std::vector<CodedField> parse_forefront_report(std::string_view value) {
    return coded_fields<kForefront>(value);
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
    ar.summary.reserve(parts.size() - i);
    for (; i < parts.size(); ++i) {
        std::string_view p = parts[i];
        auto eq = p.find('=');
        if (eq == std::string_view::npos) continue;
        AuthResult r;
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
            int depth = 0;
            std::size_t close = open;
            for (; close < rest.size(); ++close) {
                if (rest[close] == '(') ++depth;
                if (rest[close] == ')' && --depth == 0) break;
            }
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
                if (auto e = word.find('='); e != std::string_view::npos && e > 0)
                    r.properties.emplace_back(word.substr(0, e), word.substr(e + 1));
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
        ar.summary.push_back(summarise(r));
        ar.results.push_back(std::move(r));
    }
    return ar;
}

std::string_view auth_mechanism_name(std::string_view code) {
    // Two hex digits; not documented by Microsoft. As read from Exchange's
    // own code (Microsoft.Exchange.Transport's MultilevelAuthMechanism).
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kNames = {{
        {"00", "None"},
        {"01", "SenderId"},
        {"02", "MutualTLS"},
        {"03", "MapiSubmit"},
        {"04", "SecureMapiSubmit"},
        {"05", "SecureInternalSubmit"},
        {"06", "TLSAuthLogin"},
        {"07", "Login"},
        {"08", "Pickup"},
        {"0a", "NTLM"},
        {"0b", "GSSAPI"},
        {"0c", "MutualGSSAPI"},
        {"0d", "Custom"},
        {"10", "SecureExternalSubmit"},
        {"11", "DirectTrustTLS"},
        {"12", "Replay"},
        {"0e", ""},  // unassigned in that table: shown as unknown
    }};
    code = trim(code);
    for (const auto& [k, name] : kNames)
        if (iequals(k, code)) return name;
    return {};
}

std::string_view auth_as_meaning(std::string_view value) {
    value = trim(value);
    if (iequals(value, "Anonymous")) return "the sender did not authenticate: internet mail";
    if (iequals(value, "Internal"))
        return "the sender authenticated as part of the organisation (a mailbox, or an on-premises connector)";
    if (iequals(value, "Partner")) return "the sender matched a partner connector (IP or certificate)";
    return {};
}

namespace {

bool iends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && iequals(s.substr(s.size() - tail.size()), tail);
}

// Static text for an Exchange authentication header; empty when unknown.
std::string_view exchange_auth_meaning(std::string_view name, std::string_view value) {
    if (iends_with(name, "AuthAs")) return auth_as_meaning(value);
    if (iends_with(name, "AuthMechanism")) {
        auto n = auth_mechanism_name(value);
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kMeaning = {{
            {"None", "None: no authentication (undocumented code)"},
            {"SenderId", "SenderId (undocumented code)"},
            {"MutualTLS", "MutualTLS: the peer was authenticated by its TLS certificate (undocumented code)"},
            {"MapiSubmit", "MapiSubmit: submitted by a mailbox client (undocumented code)"},
            {"SecureMapiSubmit",
             "SecureMapiSubmit: submitted by a mailbox client over a secure channel "
             "(undocumented code)"},
            {"SecureInternalSubmit", "SecureInternalSubmit: submitted inside the organisation (undocumented code)"},
            {"TLSAuthLogin", "TLSAuthLogin: SMTP AUTH LOGIN over TLS (undocumented code)"},
            {"Login", "Login: SMTP AUTH LOGIN (undocumented code)"},
            {"Pickup", "Pickup: the pickup or replay directory (undocumented code)"},
            {"NTLM", "NTLM authentication (undocumented code)"},
            {"GSSAPI", "GSSAPI (Kerberos) authentication (undocumented code)"},
            {"MutualGSSAPI", "MutualGSSAPI: mutual Kerberos authentication (undocumented code)"},
            {"Custom", "Custom authentication (undocumented code)"},
            {"SecureExternalSubmit", "SecureExternalSubmit (undocumented code)"},
            {"DirectTrustTLS", "DirectTrustTLS: trusted by its TLS certificate (undocumented code)"},
            {"Replay", "Replay (undocumented code)"},
        }};
        for (const auto& [k, m] : kMeaning)
            if (k == n) return m;
        return {};
    }
    if (iends_with(name, "OriginalAttributedTenantConnectingIp"))
        return "the address and HELO EOP attributed the message to the tenant by";
    if (iends_with(name, "FromEntityHeader")) {
        if (iequals(trim(value), "HybridOnPrem")) return "received through an on-premises (hybrid) connector";
        if (iequals(trim(value), "Internet")) return "received as internet mail: no on-premises connector matched";
        return {};
    }
    if (iends_with(name, "AuthSource")) return "the server that authenticated the sender";
    return {};
}

}  // namespace

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

SecurityReport decode_security(const std::vector<SignalHeader>& signals) {
    SecurityReport r;
    // One walk over the kept signals; the first of each name counts, as with find_signal.
    bool scl_seen = false;  // r.scl stays empty when the value is not a number
    for (const auto& s : signals) {
        std::string_view name = s.name;
        std::string_view value = s.value;
        if (iequals(name, "Authentication-Results") || iequals(name, "ARC-Authentication-Results")) {
            r.authentication.push_back(parse_authentication_results(name, value));
        } else if (!r.forefront_raw && iequals(name, "X-Forefront-Antispam-Report")) {
            r.forefront_raw = value;
            r.forefront = parse_forefront_report(value);
        } else if (!r.antispam_raw && iequals(name, "X-Microsoft-Antispam")) {
            r.antispam_raw = value;
            split_top(value, ';', [&](std::string_view part) {  // the last BCL counts
                auto colon = part.find(':');
                if (!part.empty() && iequals(trim(part.substr(0, colon)), "BCL"))
                    r.bcl = colon == std::string_view::npos ? std::nullopt : to_int(trim(part.substr(colon + 1)));
            });
        } else if (!r.mailbox_delivery_raw && iequals(name, "X-Microsoft-Antispam-Mailbox-Delivery")) {
            r.mailbox_delivery_raw = value;
            r.mailbox_delivery = coded_fields<kMailboxDelivery>(value);
        } else if (!scl_seen && iequals(name, "X-MS-Exchange-Organization-SCL")) {
            scl_seen = true;
            r.scl = to_int(trim(value));
        } else if (name.size() > 14 && iequals(name.substr(0, 14), "X-MS-Exchange-") &&
                   (iequals(name, "X-MS-Exchange-Organization-AuthAs") ||
                    iequals(name, "X-MS-Exchange-Organization-AuthMechanism") ||
                    iequals(name, "X-MS-Exchange-Organization-AuthSource") ||
                    iequals(name, "X-MS-Exchange-CrossTenant-AuthAs") ||
                    iequals(name, "X-MS-Exchange-CrossTenant-AuthSource") ||
                    iequals(name, "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp") ||
                    iequals(name, "X-MS-Exchange-CrossTenant-FromEntityHeader"))) {
            bool seen = std::ranges::any_of(r.exchange_auth, [&](const CodedField& f) { return iequals(f.key, name); });
            if (!seen) r.exchange_auth.push_back({name, value, exchange_auth_meaning(name, value), true});
        }
    }
    return r;
}

}  // namespace hopscope
