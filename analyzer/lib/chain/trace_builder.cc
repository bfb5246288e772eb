#include "chain/trace_builder.hh"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <numeric>
#include <string>

#include "base/duration.hh"
#include "base/gmime_text.hh"
#include "base/limits.hh"
#include "base/utf8.hh"
#include "parse/date_parser.hh"
#include "parse/header_meanings.hh"
#include "parse/ip_address.hh"
#include "parse/received_parser.hh"
#include "parse/security_headers.hh"

namespace hopscope {
namespace {

std::optional<std::string> decoded(std::string_view raw) {
    // The unfolded text is only read: one buffer per thread, and the answer
    // is the one allocation.
    thread_local std::string unfolded;
    unfold(raw, unfolded);
    std::string text = make_valid_utf8(decode_header_text(unfolded));
    if (text.empty()) return std::nullopt;
    return text;
}

// Fills `hop` where it will live (a Hop is two dozen strings: moving one costs).
void fill_hop(Hop& hop, std::string_view name, std::string_view raw) {
    hop.header = std::string(name);
    parse_received(raw, hop.fields);
    if (!is_valid_utf8(hop.fields.raw)) {
        hop.anomalies.push_back({"invalid-utf8", "the stamp holds bytes that are not UTF-8; shown as U+FFFD"});
        hop.fields.raw = make_valid_utf8(hop.fields.raw);
        auto fix = [](std::optional<std::string>& s) {
            if (s) s = make_valid_utf8(*s);
        };
        fix(hop.fields.from.host);
        fix(hop.fields.from.helo);
        fix(hop.fields.from.rdns);
        fix(hop.fields.by.host);
        fix(hop.fields.with);
        fix(hop.fields.id);
        fix(hop.fields.for_);
        fix(hop.fields.via);
        fix(hop.fields.mta);
        fix(hop.fields.date_text);
        if (hop.fields.tls) {
            fix(hop.fields.tls->version);
            fix(hop.fields.tls->cipher);
        }
        for (auto& n : hop.fields.notes) n = make_valid_utf8(n);
        for (auto& a : hop.fields.anomalies) a.detail = make_valid_utf8(a.detail);
    }
    for (const auto& a : hop.fields.anomalies) hop.anomalies.push_back(a);
}

void number(std::vector<Hop>& hops) {
    std::reverse(hops.begin(), hops.end());  // header order is newest first
    int i = 0;
    for (auto& h : hops) h.index = ++i;
}

// What the chain stage does with a field, decided once per field.
enum class FieldUse : unsigned char {
    Received,
    XReceived,
    Signal,
    ContentType,
    Subject,
    From,
    To,
    MessageId,
    Date,
    DkimSignature,
    None
};

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Every name the chain stage keeps or reads, by length, then by last byte
// (names of one length often share a long prefix: X-MS-Exchange-...): a field
// costs a few compares, and a whole comparison only where both agree.
struct NameUse {
    std::string_view name;
    char last;  // lower case
    FieldUse use;
};

// Fields the classifier and the security section read: the Exchange fields
// the relay verdict cites, the addresses that name the sender's and a
// mailing list's organisation, and every header of the security section's
// table (parse/header_meanings, the one list is_security_header answers
// from). Only these are kept (unfolded, copied): Exchange Online stamps a
// dozen more per message that nothing reads.
const std::vector<std::vector<NameUse>>& names_by_length() {
    static const std::vector<std::vector<NameUse>> table = [] {
        std::vector<std::vector<NameUse>> t;
        auto add = [&](std::string_view name, FieldUse use) {
            if (name.empty()) return;
            if (t.size() <= name.size()) t.resize(name.size() + 1);
            for (const NameUse& n : t[name.size()])
                if (iequals(n.name, name)) return;  // the first use a name has wins
            t[name.size()].push_back({name, lower(name.back()), use});
        };
        for (auto [name, use] : {std::pair{"To", FieldUse::To},
                                 {"From", FieldUse::From},
                                 {"Date", FieldUse::Date},
                                 {"Subject", FieldUse::Subject},
                                 {"Received", FieldUse::Received},
                                 {"Message-ID", FieldUse::MessageId},
                                 {"Content-Type", FieldUse::ContentType},
                                 {"DKIM-Signature", FieldUse::DkimSignature}})
            add(name, use);
        // Beyond the security section's headers, the addresses and marks
        // classification reads.
        for (std::string_view name :
             {"Sender", "Return-Path", "List-Id", "List-Post", "Mailing-List", "X-Mailing-List", "List-Owner",
              "List-Subscribe", "Precedence", "Delivered-To", "X-Original-To", "X-OriginatorOrg",
              // Google Groups' name for the author, when it rewrote From to the
              // list, and the From it replaced (Google Groups, groups.io).
              "X-Original-Sender", "X-Original-From",
              // The client's address where Exchange's stamp hides it (the
              // second: Exchange's own copy, kept when X-Originating-IP is not).
              "X-Originating-IP", "X-MS-Exchange-CrossPremises-OriginalClientIPAddress",
              // An earlier EOP pass's spam filter report, renamed at the next pass.
              "X-Forefront-Antispam-Report-Untrusted"})
            add(name, FieldUse::Signal);
        for (std::size_t rank = 0; const HeaderInfo* h = header_by_rank(rank); ++rank) add(h->name, FieldUse::Signal);
        return t;
    }();
    return table;
}

FieldUse use_of(const std::vector<std::vector<NameUse>>& table, std::string_view name) {
    FieldUse use = FieldUse::None;
    if (!name.empty() && name.size() < table.size()) {
        char last = lower(name.back());
        for (const NameUse& n : table[name.size()])
            if (n.last == last && iequals(n.name, name)) {
                use = n.use;
                break;
            }
    }
    if (use != FieldUse::None && use != FieldUse::Signal) return use;
    // X-Received, X-Google-Received ...: stamps written beside the chain.
    if (name.size() > 9 && name[name.size() - 9] == '-' && iequals(name.substr(name.size() - 9), "-Received") &&
        !iequals(name, "ARC-Received"))
        return FieldUse::XReceived;
    return use;
}

// Received fields newest first in the header; the chain is oldest first, so
// they are built from the last field backwards, straight into place. Past
// the hop limit the oldest are the ones dropped, as a forward read would.
std::size_t build_chain(const HeaderBlock& block, const std::vector<FieldUse>& use, std::vector<Hop>& hops) {
    std::size_t received = 0;
    for (FieldUse u : use) received += u == FieldUse::Received ? 1 : 0;
    std::size_t dropped = received > limits::max_hops ? received - limits::max_hops : 0;
    hops.reserve(received - dropped);
    std::size_t skip = dropped;
    for (std::size_t k = block.fields.size(); k-- > 0;) {
        if (use[k] != FieldUse::Received) continue;
        const HeaderField* f = &block.fields[k];
        if (skip > 0) {
            --skip;
            continue;
        }
        fill_hop(hops.emplace_back(), f->name, f->raw);
        hops.back().index = static_cast<int>(hops.size());
    }
    return dropped;
}

}  // namespace

bool Bounce::operator==(const Bounce& other) const {
    return report == other.report && recipient == other.recipient && action == other.action && server == other.server &&
           server_only_reported == other.server_only_reported && status == other.status &&
           explanation == other.explanation && hint == other.hint && original == other.original;
}

BounceBox::BounceBox() = default;
BounceBox::BounceBox(const BounceBox& other) : p_(other.p_ ? std::make_unique<Bounce>(*other.p_) : nullptr) {}
BounceBox::BounceBox(BounceBox&& other) noexcept = default;
BounceBox& BounceBox::operator=(const BounceBox& other) {
    p_ = other.p_ ? std::make_unique<Bounce>(*other.p_) : nullptr;
    return *this;
}
BounceBox& BounceBox::operator=(BounceBox&& other) noexcept = default;
BounceBox& BounceBox::operator=(Bounce bounce) {
    p_ = std::make_unique<Bounce>(std::move(bounce));
    return *this;
}
BounceBox::~BounceBox() = default;
void BounceBox::reset() {
    p_.reset();
}
bool BounceBox::operator==(const BounceBox& other) const {
    if (!p_ || !other.p_) return !p_ && !other.p_;
    return *p_ == *other.p_;
}

std::optional<std::string_view> find_signal(const Trace& trace, std::string_view name) {
    for (const auto& s : trace.signals)
        if (iequals(s.name, name)) return std::string_view(s.value);
    return std::nullopt;
}

std::optional<std::string> originating_ip(const Trace& t) {
    auto said = find_signal(t, "X-Originating-IP");
    if (!said) said = find_signal(t, "X-MS-Exchange-CrossPremises-OriginalClientIPAddress");
    if (!said) return std::nullopt;
    std::string_view text = *said;
    text.remove_prefix(std::min(text.size(), text.find_first_not_of(' ')));
    auto ip = ip_from_literal(text.substr(0, text.find(' ')));
    if (!ip || *ip == "255.255.255.255") return std::nullopt;
    return ip;
}

std::optional<std::string> connector_label(const RelayConnector& c) {
    if (c.name) return c.name;
    if (!c.tie) return std::nullopt;
    std::string label;
    for (const auto& n : c.not_ruled_out) label.append(label.empty() ? "'" : " or '").append(n).append("'");
    return label;
}

bool mailbox_self_stamp(const ReceivedFields& f) {
    return f.from.host && f.by.host && iequals(*f.from.host, *f.by.host) && f.with && iequals(*f.with, "mapi");
}

SenderSide origin_of(const Trace& t) {
    if (t.hops.empty()) return {};
    const ReceivedFields& f = t.hops.front().fields;
    const SenderSide& first = f.from;
    // Exchange Online's stand-in for a client it does not show: the client
    // is X-Originating-IP's address where Exchange writes one.
    if (first.ip && *first.ip == "255.255.255.255") {
        SenderSide client;
        client.ip = originating_ip(t);
        return client;
    }
    // A mailbox server's stamp of its own hand-over (from itself, "with
    // mapi"): the client it took the message from, where Exchange names one.
    if (first.host && f.by.host && iequals(*first.host, *f.by.host)) {
        if (auto ip = originating_ip(t)) {
            SenderSide client;
            client.ip = std::move(ip);
            return client;
        }
        // Written in a mailbox there, its client not named: not the server.
        if (mailbox_self_stamp(f)) return {};
    }
    // A first stamp with no sender, written by the sending host about itself
    // (classified origin-device: "by monitor02 (Postfix, from userid 0)"):
    // that host is the origin.
    if (!first.ip && !first.host && !first.helo && !first.rdns &&
        t.hops.front().role == std::string_view("origin-device") && (f.by.host || f.by.ip)) {
        SenderSide self;
        self.host = f.by.host;
        self.ip = f.by.ip;
        return self;
    }
    return first;
}

namespace {

// A dated point of the chain: the Date header (hop 0) or a stamp.
// A time read without its zone (read as UTC) or in an implausible year:
// hours off, or no clock at all. Neither delays nor clocks are counted from it.
bool uncertain_time(const std::vector<Anomaly>& anomalies) {
    return std::ranges::any_of(anomalies, [](const Anomaly& a) {
        return a.kind == "missing-zone" || a.kind == "unknown-zone" || a.kind == "implausible-date";
    });
}

struct Point {
    UnixTime time;
    int hop;  // 0: the Date header
};

// Stamps are written to the second by clocks that differ by a fraction of
// one: a time within a second of the trustworthy points on either side is
// rounding, not a clock that is off.
constexpr UnixTime kClockGrain = 1;

// Which points keep a clock the chain agrees with: the run that never goes
// back in time and keeps the most clocks, a host's stamps counting as one
// clock between them (vger.kernel.org's two stamps 1m 47s ahead are one clock
// off, as likely as the one stamp after them). Among runs as good, the one
// spanning the least time (a clock off by minutes explains a stamp out of
// line better than minutes of delay around it), then one without the Date
// header (the sender's device keeps the least reliable clock), then the later
// stamps (the receivers near the mailbox). Quadratic, but only on chains that
// go back in time somewhere; a chain in order keeps every point.
void trusted_points(const std::vector<Point>& p, const std::vector<Hop>& hops, std::vector<bool>& keep) {
    keep.assign(p.size(), true);
    bool ordered = true;
    for (std::size_t i = 1; i < p.size(); ++i) ordered = ordered && p[i].time >= p[i - 1].time;
    if (ordered) return;
    // Which clock wrote each point: the Date header its own, a stamp its
    // writer's (the same by-host, ignoring case), a stamp naming none its own.
    // The oldest stamp written on the sending host itself (from loopback, or
    // naming no client at all: "by laptop with local") shares the Date
    // header's clock.
    std::vector<std::size_t> clock_of(p.size(), 0);
    for (std::size_t i = 0; i < p.size(); ++i) {
        clock_of[i] = i;
        if (p[i].hop == 0) continue;
        const auto& from = hops[static_cast<std::size_t>(p[i].hop - 1)].fields.from;
        const auto& with = hops[static_cast<std::size_t>(p[i].hop - 1)].fields.with;
        const bool loopback = from.ip && loopback_address(*from.ip) && (!from.rdns || iequals(*from.rdns, "localhost"));
        const bool nothing = !from.ip && !from.rdns && !from.host && !from.helo && (!with || iequals(*with, "local"));
        if (p[i].hop == 1 && i == 1 && p[0].hop == 0 && (loopback || nothing)) {
            clock_of[i] = 0;
            continue;
        }
        const auto& by = hops[static_cast<std::size_t>(p[i].hop - 1)].fields.by.host;
        if (!by) continue;
        for (std::size_t j = 0; j < i; ++j) {
            if (p[j].hop == 0) continue;
            const auto& other = hops[static_cast<std::size_t>(p[j].hop - 1)].fields.by.host;
            if (other && iequals(*other, *by)) {
                clock_of[i] = clock_of[j];
                break;
            }
        }
    }
    // Each point's share of its clock: 1 / the points that clock wrote, in
    // units of 1/`scale` so sums compare exactly.
    std::size_t scale = 1;
    std::vector<std::size_t> per_clock(p.size(), 0);
    for (std::size_t c : clock_of) ++per_clock[c];
    constexpr std::size_t kMaxScale = 720720;  // lcm(1..16): past it, shares round down
    for (std::size_t n : per_clock)
        if (n > 1 && scale <= kMaxScale) scale = std::lcm(scale, n);
    scale = std::min(scale, kMaxScale);
    // The best run under `share`, a point's weight.
    auto pick = [&](auto&& share) {
        struct Best {
            std::size_t weight = 0;
            UnixTime first = 0;
            bool date = false;  // the run starts at the Date header
            std::size_t prev = SIZE_MAX;
        };
        // a better than b as runs ending at the same point
        auto better = [](const Best& a, const Best& b) {
            if (a.weight != b.weight) return a.weight > b.weight;
            if (a.first != b.first) return a.first > b.first;
            return !a.date && b.date;
        };
        std::vector<Best> best(p.size());
        for (std::size_t i = 0; i < p.size(); ++i) {
            best[i] = {share(i), p[i].time, p[i].hop == 0, SIZE_MAX};
            for (std::size_t j = 0; j < i; ++j) {
                if (p[j].time > p[i].time) continue;
                Best cand{best[j].weight + share(i), best[j].first, best[j].date, j};
                if (better(cand, best[i])) best[i] = cand;
            }
        }
        std::size_t end = 0;
        for (std::size_t i = 1; i < p.size(); ++i) {
            const Best& a = best[i];
            const Best& b = best[end];
            if (a.weight != b.weight) {
                if (a.weight > b.weight) end = i;
                continue;
            }
            UnixTime span_a = p[i].time - a.first;
            UnixTime span_b = p[end].time - b.first;
            if (span_a != span_b) {
                if (span_a < span_b) end = i;
                continue;
            }
            if (a.date != b.date) {
                if (!a.date) end = i;
                continue;
            }
            end = i;  // the later stamp
        }
        std::fill(keep.begin(), keep.end(), false);
        for (std::size_t i = end; i != SIZE_MAX; i = best[i].prev) keep[i] = true;
    };
    pick([&](std::size_t i) { return scale / per_clock[clock_of[i]]; });
    // A clock is off as a whole: a run that keeps some of a host's stamps and
    // leaves out others (its own 5 s between two stamps read as its clock
    // jumping) is no answer; then every stamp counts alike.
    bool whole = true;
    for (std::size_t a = 0; a < p.size() && whole; ++a)
        for (std::size_t b = a + 1; b < p.size() && whole; ++b)
            whole = clock_of[a] != clock_of[b] || keep[a] == keep[b];
    if (!whole) pick([](std::size_t) { return std::size_t{1}; });
    // A host's stamps still kept in part: a clock cannot be off against
    // itself, so a stamp it left out is time that passed on that host (a list
    // server's first stamp before the Date header it wrote), kept. (The Date
    // header is the client's, whatever clock it shares.)
    for (std::size_t a = 0; a < p.size(); ++a)
        if (!keep[a] && p[a].hop > 0)
            for (std::size_t b = 0; b < p.size(); ++b)
                if (keep[b] && p[b].hop > 0 && clock_of[b] == clock_of[a]) {
                    keep[a] = true;
                    break;
                }
    // Points left out by no more than the clocks' grain come back in.
    std::size_t kept_before = SIZE_MAX;  // the last point kept so far
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (!keep[i]) {
            std::size_t after = i + 1;
            while (after < p.size() && !keep[after]) ++after;
            keep[i] = (kept_before == SIZE_MAX || p[i].time + kClockGrain >= p[kept_before].time) &&
                      (after == p.size() || p[i].time <= p[after].time + kClockGrain);
        }
        if (keep[i]) kept_before = i;
    }
}

// Whole or half hours, give or take two minutes, inside [lo, hi]: the gap a
// time written with the wrong zone offset leaves. A wide range says nothing.
bool zone_sized(std::int64_t lo, std::optional<std::int64_t> hi) {
    constexpr std::int64_t kHalfHour = 1800;
    constexpr std::int64_t kSlack = 120;
    constexpr std::int64_t kWidestZoneGap = 26 * 3600;  // UTC-12 written as UTC+14
    std::int64_t top = hi.value_or(lo);
    if (top - lo > 600 || top + kSlack < kHalfHour || lo - kSlack > kWidestZoneGap) return false;
    std::int64_t k = (lo - kSlack + kHalfHour - 1) / kHalfHour;  // first multiple at or above lo - slack
    if (k < 1) k = 1;
    return k * kHalfHour <= top + kSlack;
}

// Whole hours, 1 to 26 of them, two minutes either way: a gap a clock in the
// wrong zone gives as well as a wait that long.
bool whole_hours(std::int64_t gap) {
    const std::int64_t hours = (gap + 1800) / 3600;
    return hours >= 1 && hours <= 26 && gap >= hours * 3600 - 120 && gap <= hours * 3600 + 120;
}

std::string_view zone_words(std::int64_t offset) {
    std::int64_t half_hours = (offset + 900) / 1800;
    return half_hours % 2 == 0 ? "a whole-hour offset, as a time written with the wrong zone gives"
                               : "a half-hour offset, as a time written with the wrong zone gives";
}

using std::string_view_literals::operator""sv;

// Appends "hop N".
void append_hop(std::string& out, int hop) {
    std::array<char, 16> digits{};
    auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), hop);
    out.append("hop "sv).append(digits.data(), end);
}

std::optional<std::string> writer_of(const Hop& hop) {
    if (hop.fields.by.host) return hop.fields.by.host;
    if (hop.fields.by.ip) return "[" + *hop.fields.by.ip + "]";
    return std::nullopt;
}

// A finding's detail, written once into its one string (a message with a
// clock off carries a few of them, each some hundred bytes of text).
void append_zone(std::string& out, const ClockFinding& f) {
    if (f.zone_sized) out.append("; "sv).append(zone_words(f.min_s));
}

// "the Date header is 5m ahead of the first stamp (the sender's device clock
// is fast)", or whole hours behind it (`ahead` false): a wrong zone or a wait.
void date_detail(ClockFinding& f, int after_hop, bool ahead, bool either = false) {
    std::string& d = f.detail;
    d.reserve(260);
    d.append("the Date header is "sv)
        .append(duration_chars(f.min_s).view())
        .append(ahead ? " ahead of "sv : " behind "sv);
    if (after_hop == 1) {
        d.append("the first stamp"sv);
    } else {
        d.append("the first stamp in line ("sv);
        append_hop(d, after_hop);
        d.push_back(')');
    }
    if (!ahead) {
        d.append(
            ": whole hours, as a sending device's clock set to the wrong zone gives (or a wait that long before "
            "the first stamp); the delays count from the first stamp"sv);
        return;
    }
    d.append(either ? " (the sender's device clock is fast, or the first server's clock slow: the headers do not "
                      "tell which)"sv
                    : " (the sender's device clock is fast)"sv);
    append_zone(d, f);
}

void off_clock_detail(ClockFinding& f, bool fast, int other_hop, bool either = false) {
    std::string& d = f.detail;
    DurationText lo = duration_chars(f.min_s);
    d.reserve(160 + (f.host ? f.host->size() : 0));
    d.append("stamped "sv).append(lo.view()).append(fast ? " after "sv : " before "sv);
    if (other_hop == 0)
        d.append("the Date header"sv);
    else
        append_hop(d, other_hop);
    if (f.host)
        d.append(" by "sv).append(*f.host).append(", whose"sv);
    else
        d.append(" by a host whose"sv);
    d.append(" clock is "sv).append(lo.view());
    // Ends that read the same (seconds apart in a span of days) are one value.
    if (f.max_s) {
        DurationText hi = duration_chars(*f.max_s);
        if (hi.view() != lo.view()) d.append(" to "sv).append(hi.view());
    }
    d.append(fast ? " fast"sv : " slow"sv);
    if (either) d.append(", or the sending device's clock is fast by as much: the headers do not tell which"sv);
    d.append(" (not a delay)"sv);
    append_zone(d, f);
}

void zone_gap_detail(ClockFinding& f) {
    std::string& d = f.detail;
    d.reserve(150 + (f.host ? f.host->size() : 0));
    d.append("stamped "sv).append(duration_chars(f.min_s).view()).append(" after the time before it"sv);
    if (f.host) d.append(" by "sv).append(*f.host);
    d.append(": whole hours, as a clock set to the wrong zone gives (or a delay that long)"sv);
}

// A message sent again (a reused or resent message, a phishing mail built on
// a delivered one): the stamps of an earlier delivery under those of the
// last. Where a stamp comes more than a day after the one before it, names
// a sender other than that stamp's receiver, and the Date header is within
// an hour of it and more than a day after the earlier stamp, the stamps
// before it are said to be an earlier delivery and left out of the delays.
// A long gap alone proves nothing: quarantine and hold queues keep mail for
// weeks, and a mailbox is fetched (POP3, IMAP) whenever its owner is back.
// Returns how many stamps come before the last delivery (0: none).
std::size_t sent_again(Trace& trace) {
    constexpr std::int64_t kDay = 86400;
    constexpr std::int64_t kHour = 3600;
    trace.sent_again_at = 0;
    if (!trace.created || !trace.created_certain) return 0;
    const UnixTime date = *trace.created;
    std::size_t restart = 0;
    const Hop* earlier = nullptr;
    for (const Hop& h : trace.hops) {
        if (!h.fields.time) continue;
        if (earlier != nullptr) {
            const UnixTime a = *earlier->fields.time;
            const UnixTime b = *h.fields.time;
            const auto& from = h.fields.from;
            const auto& by = earlier->fields.by.host;
            const bool other_sender = (from.ip || from.host) && !(from.host && by && iequals(*from.host, *by)) &&
                                      !(from.helo && by && iequals(*from.helo, *by));
            if (b - a > kDay && date - a > kDay && date - b <= kHour && b - date <= kHour && other_sender)
                restart = static_cast<std::size_t>(h.index - 1);
        }
        earlier = &h;
    }
    if (restart == 0) return 0;
    const Hop& last_old = trace.hops[restart - 1];
    const Hop& first_new = trace.hops[restart];
    std::string detail = "hops #1 to #" + std::to_string(restart) + " record an earlier delivery of this message";
    if (last_old.fields.by.host) detail += ", which ended at " + *last_old.fields.by.host;
    detail.append(" on ").append(format_utc_text(*last_old.fields.time).view());
    detail += "; hop #" + std::to_string(restart + 1) + " sent it again " +
              std::string(duration_chars(*first_new.fields.time - *last_old.fields.time).view()) +
              " later, as its Date header says (a message resent or reused): the delays count from there";
    trace.anomalies.push_back({"earlier-delivery", std::move(detail)});
    trace.sent_again_at = restart;
    return restart;
}

}  // namespace

void compute_delays(Trace& trace) {
    trace.total_delay_s.reset();
    trace.delay_from = {};
    trace.clock.clear();
    // Read only here: one list of each per thread, reused message after message.
    thread_local std::vector<Point> points;
    thread_local std::vector<bool> keep;
    points.clear();
    points.reserve(trace.hops.size() + 1);
    if (trace.created && trace.created_certain) points.push_back({*trace.created, 0});
    const std::size_t restart = sent_again(trace);
    for (auto& hop : trace.hops) {
        hop.delay_s.reset();
        if (hop.fields.time && static_cast<std::size_t>(hop.index) > restart && !uncertain_time(hop.fields.anomalies))
            points.push_back({*hop.fields.time, hop.index});
    }
    trusted_points(points, trace.hops, keep);
    auto hop_at = [&](int index) -> Hop& { return trace.hops[static_cast<std::size_t>(index - 1)]; };

    // A Date header whole hours behind the first stamp in line (two minutes
    // either way) is a device clock in the wrong zone as likely as a wait
    // that long: not counted from, and said both ways. Half hours are left
    // as a delay: few zones have them, and a wait of about half an hour is
    // common.
    if (points.size() > 1 && points[0].hop == 0 && keep[0]) {
        std::size_t next = 1;
        while (next < points.size() && !keep[next]) ++next;
        if (next < points.size()) {
            const std::int64_t gap = points[next].time - points[0].time;
            if (whole_hours(gap)) {
                keep[0] = false;
                ClockFinding f;
                f.kind = "date-behind";
                f.min_s = gap;
                f.max_s = gap;
                f.zone_sized = true;
                date_detail(f, points[next].hop, false);
                trace.anomalies.push_back({"zone-sized-gap", f.detail});
                trace.clock.push_back(std::move(f));
            }
        }
    }

    // Delays between consecutive trustworthy points; the first stamp after
    // a Date header out of line has nothing to count from.
    const Point* previous = nullptr;
    const Point* first = nullptr;
    const Point* last = nullptr;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!keep[i]) continue;
        const Point& pt = points[i];
        if (pt.hop > 0) {
            if (previous != nullptr) hop_at(pt.hop).delay_s = std::max<UnixTime>(0, pt.time - previous->time);
            last = &pt;
        }
        if (first == nullptr) first = &pt;
        previous = &pt;
    }
    if (first != nullptr && last != nullptr && first != last) {
        trace.total_delay_s = std::max<UnixTime>(0, last->time - first->time);
        trace.delay_from = first->hop == 0 ? "date" : "first-stamp";
    }

    // Each point out of line: which way its clock is off, bounded by the
    // trustworthy points on either side.
    if (auto off = static_cast<std::size_t>(std::count(keep.begin(), keep.end(), false)); off > 0)
        trace.clock.reserve(off);
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (keep[i]) continue;
        const Point* before = nullptr;
        const Point* after = nullptr;
        for (std::size_t j = i; j-- > 0;)
            if (keep[j]) {
                before = &points[j];
                break;
            }
        for (std::size_t j = i + 1; j < points.size(); ++j)
            if (keep[j]) {
                after = &points[j];
                break;
            }
        const Point& pt = points[i];
        ClockFinding f;
        f.hop = pt.hop;
        bool fast = after != nullptr && pt.time > after->time;
        // Points kept for their clock's sake may stand out of order: a bound
        // they give the wrong way is no bound.
        auto bound = [&](UnixTime span) { return span >= f.min_s ? std::optional<std::int64_t>(span) : std::nullopt; };
        if (fast) {
            f.min_s = pt.time - after->time;
            if (before != nullptr) f.max_s = bound(pt.time - before->time);
        } else if (before != nullptr) {
            f.min_s = before->time - pt.time;
            if (after != nullptr) f.max_s = bound(after->time - pt.time);
        } else {
            continue;  // a Date header behind the first stamp: said above
        }
        if (f.min_s <= 0) continue;
        f.zone_sized = zone_sized(f.min_s, f.max_s);
        // The Date header and the first stamp disagree alone: the Date falls
        // between the first stamp and the next one kept. A device's clock
        // fast or the first server's slow fits the same: either is said.
        auto next_kept = [&](const Point* p) -> const Point* {
            for (std::size_t j = static_cast<std::size_t>(p - points.data()) + 1; j < points.size(); ++j)
                if (keep[j]) return &points[j];
            return nullptr;
        };
        // (Not where the first stamp took the message over loopback from
        // a program on its own host: one machine, one clock.)
        const auto& first_from = trace.hops.front().fields.from;
        const bool one_machine = first_from.ip && loopback_address(*first_from.ip);
        bool either = false;
        if (!one_machine && pt.hop == 0 && fast && after->hop == 1) {
            const Point* next = next_kept(after);
            either = next != nullptr && pt.time <= next->time;
        } else if (!one_machine && pt.hop == 1 && !fast && before != nullptr && before->hop == 0) {
            either = after != nullptr && before->time <= after->time;
        }
        f.device_or_server = either;
        if (pt.hop == 0) {
            f.kind = "date-ahead";
            date_detail(f, after->hop, true, either);
            trace.anomalies.push_back({"clock-skew", f.detail});
        } else {
            Hop& hop = hop_at(pt.hop);
            f.host = writer_of(hop);
            const Point& other = fast ? *after : *before;
            f.kind = fast ? "fast" : "slow";
            off_clock_detail(f, fast, other.hop, either);
            hop.anomalies.push_back({"clock-skew", f.detail});
        }
        trace.clock.push_back(std::move(f));
    }

    // A trustworthy gap of whole hours is either a delay that long or a
    // clock in the wrong zone: said, and the delay kept.
    for (auto& hop : trace.hops) {
        if (!hop.delay_s || !whole_hours(*hop.delay_s)) continue;
        const std::int64_t d = *hop.delay_s;
        ClockFinding f;
        f.kind = "zone-sized-gap";
        f.hop = hop.index;
        f.host = writer_of(hop);
        f.min_s = d;
        f.max_s = d;
        f.zone_sized = true;
        zone_gap_detail(f);
        hop.anomalies.push_back({"zone-sized-gap", f.detail});
        trace.clock.push_back(std::move(f));
    }
}

Result<Trace> build_trace(const HeaderBlock& block) {
    if (block.fields.empty()) return make_error("holds no header fields");
    Trace trace;
    trace.input_kind = block.input_kind;
    trace.header_fields = block.fields.size();
    trace.anomalies = block.anomalies;

    thread_local std::vector<FieldUse> use;  // one per field, reused message after message
    use.clear();
    const auto& names = names_by_length();
    for (const auto& f : block.fields) use.push_back(use_of(names, f.name));
    std::size_t dropped_hops = build_chain(block, use, trace.hops);
    trace.signals.reserve(16);  // Exchange Online stamps a dozen or more: spares four regrowths
    for (std::size_t k = 0; k < block.fields.size(); ++k) {
        const HeaderField& f = block.fields[k];
        const FieldUse u = use[k];
        if (u == FieldUse::Received || u == FieldUse::None) {
            continue;
        } else if (u == FieldUse::XReceived) {
            // Opaque values that merely share the name (X-ME-Received) are not stamps.
            if (trace.x_received.size() < limits::max_hops) {
                Hop& hop = trace.x_received.emplace_back();
                fill_hop(hop, f.name, f.raw);
                bool stamp = hop.fields.by.host || hop.fields.by.ip || hop.fields.from.host || hop.fields.from.ip;
                if (!stamp) trace.x_received.pop_back();
            }
        } else if (u == FieldUse::Signal) {
            if (trace.signals.size() < limits::max_hops) {
                // An ARC-Seal's b= is 400 bytes nobody reads: never unfolded.
                std::string value =
                    iequals(f.name, "ARC-Seal") ? arc_seal_without_signature(f.raw) : unfold_collapsed(f.raw);
                // A whole value written as RFC 2047 encoded words (Outlook keeps
                // some so: "=?us-ascii?Q?CIP:192.0.2.1;CTRY:US;...?=") is read decoded.
                if (value.starts_with("=?")) value = decode_header_text(value);
                trace.signals.push_back({std::string(f.name), make_valid_utf8(std::move(value))});
            }
        } else if (u == FieldUse::DkimSignature) {
            trace.dkim_signed = true;
        } else if (u == FieldUse::ContentType) {
            trace.report_content_type = may_be_report(f.raw);
        } else if (u == FieldUse::Subject && !trace.subject) {
            trace.subject = decoded(f.raw);
        } else if (u == FieldUse::From && !trace.from) {
            trace.from = decoded(f.raw);
        } else if (u == FieldUse::To && !trace.to) {
            trace.to = decoded(f.raw);
        } else if (u == FieldUse::MessageId && !trace.message_id) {
            std::string id = unfold_collapsed(f.raw);
            if (!id.empty()) trace.message_id = make_valid_utf8(std::move(id));
        } else if (u == FieldUse::Date && trace.created_text) {
            // A second Date (a list or gateway added its own): said, and where
            // the two disagree neither is a time delays count from.
            std::string text = unfold_collapsed(f.raw);
            ParsedDate d = parse_date(text);
            const bool differs = d.time != trace.created;
            if (differs) trace.created_certain = false;
            if (std::ranges::none_of(trace.anomalies, [](const Anomaly& a) { return a.kind == "duplicate-date"; }))
                trace.anomalies.push_back(
                    {"duplicate-date",
                     "a second Date header ('" + make_valid_utf8(text.substr(0, 120)) + "'): the first is shown" +
                         (differs ? std::string("; they disagree, so neither is counted from") : std::string())});
        } else if (u == FieldUse::Date && !trace.created_text) {
            std::string text = unfold_collapsed(f.raw);
            ParsedDate d = parse_date(text);  // the text as written, before any repair
            trace.created_text = make_valid_utf8(std::move(text));
            trace.created = d.time;
            trace.created_certain = !uncertain_time(d.anomalies);
            for (auto& a : d.anomalies) {
                a.detail = "Date header: " + make_valid_utf8(a.detail);
                trace.anomalies.push_back(std::move(a));
            }
        }
    }
    if (dropped_hops > 0)
        trace.anomalies.push_back({"hop-limit", std::to_string(dropped_hops) +
                                                    " Received field(s) beyond the limit of " +
                                                    std::to_string(limits::max_hops) + " were not analysed"});
    if (trace.hops.empty()) trace.anomalies.push_back({"no-received", "the header holds no Received field"});
    if (!trace.created_text) trace.anomalies.push_back({"no-date-header", "the header has no Date field"});
    number(trace.x_received);
    compute_delays(trace);
    return trace;
}

Result<Trace> build_trace(std::string_view message_bytes) {
    HeaderBlock block = split_header_block(message_bytes);
    return build_trace(block);
}

}  // namespace hopscope
