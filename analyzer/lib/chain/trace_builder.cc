#include "chain/trace_builder.hh"

#include <algorithm>
#include <array>
#include <cstdint>

#include "base/gmime_text.hh"
#include "base/limits.hh"
#include "base/utf8.hh"
#include "parse/date_parser.hh"
#include "parse/received_parser.hh"

namespace hopscope {
namespace {

std::optional<std::string> decoded(std::string_view raw) {
    std::string text = make_valid_utf8(decode_header_text(unfold(raw)));
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

// Received fields newest first in the header; the chain is oldest first, so
// they are built from the last field backwards, straight into place. Past
// the hop limit the oldest are the ones dropped, as a forward read would.
std::size_t build_chain(const HeaderBlock& block, std::vector<Hop>& hops) {
    std::size_t received = 0;
    for (const auto& f : block.fields) received += iequals(f.name, "Received") ? 1 : 0;
    std::size_t dropped = received > limits::max_hops ? received - limits::max_hops : 0;
    hops.reserve(received - dropped);
    std::size_t skip = dropped;
    // Reverse iterators, not std::views::reverse: clang 14 (the fuzz build)
    // cannot compile libstdc++ 12's ranges.
    for (auto f = block.fields.rbegin(); f != block.fields.rend(); ++f) {  // NOLINT(modernize-loop-convert)
        if (!iequals(f->name, "Received")) continue;
        if (skip > 0) {
            --skip;
            continue;
        }
        fill_hop(hops.emplace_back(), f->name, f->raw);
        hops.back().index = static_cast<int>(hops.size());
    }
    return dropped;
}

// Fields the classifier and the security section read: the security stamps,
// the Exchange fields they decode, and the addresses that name the sender's
// and a mailing list's organisation. Only these are kept (unfolded, copied):
// Exchange Online stamps a dozen more per message that nothing reads.
bool is_signal_header(std::string_view name) {
    static constexpr std::array<std::string_view, 27> kNames = {
        "Authentication-Results",
        "ARC-Authentication-Results",
        "Received-SPF",
        "X-Forefront-Antispam-Report",
        "X-Microsoft-Antispam",
        "X-Microsoft-Antispam-Mailbox-Delivery",
        "X-MS-Exchange-Organization-SCL",
        "X-MS-Exchange-Organization-AuthAs",
        "X-MS-Exchange-Organization-AuthMechanism",
        "X-MS-Exchange-Organization-AuthSource",
        "X-MS-Exchange-Organization-MessageDirectionality",
        "X-MS-Exchange-CrossTenant-AuthAs",
        "X-MS-Exchange-CrossTenant-AuthSource",
        "X-MS-Exchange-CrossTenant-FromEntityHeader",
        "X-MS-Exchange-CrossTenant-OriginalArrivalTime",
        "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp",
        "X-MS-Exchange-CrossTenant-Id",
        "X-OriginatorOrg",
        "Sender",
        "Return-Path",
        "List-Id",
        "List-Post",
        "Mailing-List",
        "X-Mailing-List",
        "Precedence",
        "Delivered-To",
        "X-Original-To"};
    // Most fields of a message have a length no kept name has: one bit test.
    static constexpr std::uint64_t kLengths = [] {
        std::uint64_t bits = 0;
        for (auto n : kNames) bits |= std::uint64_t{1} << (n.size() & 63U);
        return bits;
    }();
    if (name.size() >= 64 || ((kLengths >> name.size()) & 1U) == 0) return false;
    return std::ranges::any_of(kNames, [&](std::string_view n) { return iequals(name, n); });
}

std::string seconds_text(std::int64_t s) {
    return std::to_string(s) + " s";
}

}  // namespace

bool Bounce::operator==(const Bounce& other) const {
    return report == other.report && recipient == other.recipient && action == other.action && server == other.server &&
           status == other.status && explanation == other.explanation && hint == other.hint &&
           original == other.original;
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

void compute_delays(Trace& trace) {
    std::optional<UnixTime> previous = trace.created;
    std::optional<UnixTime> last;
    for (auto& hop : trace.hops) {
        hop.delay_s.reset();
        if (!hop.fields.time) continue;
        if (previous) {
            hop.delay_s = *hop.fields.time - *previous;
            if (*hop.delay_s < 0) {
                std::string against =
                    hop.index == 1 || previous == trace.created ? "the Date header" : "the hop before";
                hop.anomalies.push_back(
                    {"clock-skew", "stamped " + seconds_text(-*hop.delay_s) + " before " + against});
            }
        }
        previous = hop.fields.time;
        last = hop.fields.time;
    }
    trace.total_delay_s.reset();
    std::optional<UnixTime> start = trace.created;
    if (!start)
        for (const auto& hop : trace.hops)
            if (hop.fields.time) {
                start = hop.fields.time;
                break;
            }
    if (start && last) trace.total_delay_s = *last - *start;
}

Result<Trace> build_trace(const HeaderBlock& block) {
    if (block.fields.empty()) return make_error("holds no header fields");
    Trace trace;
    trace.input_kind = block.input_kind;
    trace.header_fields = block.fields.size();
    trace.anomalies = block.anomalies;

    std::size_t dropped_hops = build_chain(block, trace.hops);
    trace.signals.reserve(16);  // Exchange Online stamps a dozen or more: spares four regrowths
    for (const auto& f : block.fields) {
        if (iequals(f.name, "Received")) {
            continue;
        } else if (f.name.size() > 9 && iequals(f.name.substr(f.name.size() - 9), "-Received") &&
                   !iequals(f.name, "ARC-Received")) {
            // X-Received, X-Google-Received ...: stamps written beside the chain.
            // Opaque values that merely share the name (X-ME-Received) are not stamps.
            if (trace.x_received.size() < limits::max_hops) {
                Hop& hop = trace.x_received.emplace_back();
                fill_hop(hop, f.name, f.raw);
                bool stamp = hop.fields.by.host || hop.fields.by.ip || hop.fields.from.host || hop.fields.from.ip;
                if (!stamp) trace.x_received.pop_back();
            }
        } else if (is_signal_header(f.name)) {
            if (trace.signals.size() < limits::max_hops)
                trace.signals.push_back({std::string(f.name), make_valid_utf8(unfold_collapsed(f.raw))});
        } else if (iequals(f.name, "Content-Type")) {
            trace.report_content_type = may_be_report(f.raw);
        } else if (iequals(f.name, "Subject") && !trace.subject) {
            trace.subject = decoded(f.raw);
        } else if (iequals(f.name, "From") && !trace.from) {
            trace.from = decoded(f.raw);
        } else if (iequals(f.name, "To") && !trace.to) {
            trace.to = decoded(f.raw);
        } else if (iequals(f.name, "Message-ID") && !trace.message_id) {
            std::string id = unfold_collapsed(f.raw);
            if (!id.empty()) trace.message_id = make_valid_utf8(std::move(id));
        } else if (iequals(f.name, "Date") && !trace.created_text) {
            std::string text = unfold_collapsed(f.raw);
            trace.created_text = make_valid_utf8(std::string_view(text));
            ParsedDate d = parse_date(text);
            trace.created = d.time;
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
