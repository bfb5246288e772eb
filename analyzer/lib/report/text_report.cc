#include "report/text_report.hh"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include "base/duration.hh"
#include "classify/bounce_analysis.hh"
#include "classify/organisation.hh"
#include "parse/address.hh"
#include "parse/security_headers.hh"
#include "report/display_text.hh"
#include "report/message_trace.hh"

namespace hopscope {
namespace {

constexpr std::size_t kBarWidth = 6;
constexpr std::size_t kMinNameWidth = 12;  // a cut name keeps at least this much

const char* kBold = "\x1b[1m";
const char* kDim = "\x1b[2m";
const char* kYellow = "\x1b[33m";
const char* kRed = "\x1b[31m";
const char* kReset = "\x1b[0m";

struct Painter {
    bool on;
    [[nodiscard]] std::string operator()(const char* code, const std::string& s) const {
        return on ? code + s + kReset : s;
    }
};

std::string safe(const std::optional<std::string>& s) {
    return s ? escape_for_terminal(*s) : std::string();
}

// A host cell: the name, what the client said in HELO when it differs
// (left out first when the cell is cut), and the address, which is never cut.
struct HostCell {
    std::string name;
    std::string address;  // " [192.0.2.1]" or "[192.0.2.1]" when there is no name
    std::string helo;     // " (helo mx1)" or empty
    [[nodiscard]] std::size_t width() const {
        return display_width(name) + display_width(helo) + display_width(address);
    }
    [[nodiscard]] std::string fit(std::size_t width) const {
        if (this->width() <= width) return name + helo + address;
        std::size_t room = width > display_width(address) ? width - display_width(address) : 0;
        return (display_width(name) > room ? fit_width(name, std::max(room, kMinNameWidth)) : name) + address;
    }
};

HostCell sender_cell(const SenderSide& f) {
    // A client that said HELO with an address literal and had no reverse
    // name: its address, then what it called itself, labelled
    // ("172.20.145.6 (HELO [172.27.15.30])").
    if (f.host && f.host->starts_with('[') && f.ip && !f.rdns) {
        std::string address = *f.ip;
        if (*f.host != "[" + *f.ip + "]")
            address += " (HELO " + escape_for_terminal(*f.host) + ")";
        else
            address = "[" + *f.ip + "]";
        return {"", address, ""};
    }
    std::string name = f.host ? escape_for_terminal(host_for_display(*f.host)) : std::string();
    std::string helo;
    if (f.rdns && f.helo && *f.rdns != *f.helo) helo = " (helo " + escape_for_terminal(*f.helo) + ")";
    // The receiver found no reverse name: the name is only the HELO.
    if (helo_only_claim(f) && f.helo) {
        name = "unknown";
        helo = " (helo " + escape_for_terminal(*f.helo) + ")";
    }
    bool literal_of_ip = f.ip && f.host && *f.host == "[" + *f.ip + "]";
    std::string address;
    if (f.ip && !literal_of_ip) address = (name.empty() && helo.empty() ? "[" : " [") + *f.ip + "]";
    if (name.empty() && helo.empty() && address.empty()) name = "-";
    return {name, address, helo};
}

std::string sender_text(const SenderSide& f) {
    HostCell c = sender_cell(f);
    return c.name + c.helo + c.address;
}

HostCell receiver_cell(const ReceiverSide& b) {
    if (b.host) return {escape_for_terminal(host_for_display(*b.host)), "", ""};
    if (b.ip) return {"", "[" + *b.ip + "]", ""};
    return {"-", "", ""};
}

std::string receiver_text(const ReceiverSide& b) {
    HostCell c = receiver_cell(b);
    return c.name + c.helo + c.address;
}

const char* role_colour(std::string_view role) {
    if (role == "origin-device") return "\x1b[36m";          // cyan
    if (role == "local-relay") return "\x1b[32m";            // green
    if (role == "sender-infrastructure") return "\x1b[94m";  // light blue
    if (role == "security-gateway") return "\x1b[35m";       // magenta
    if (role == "eop" || role == "exchange-online") return "\x1b[34m";
    if (role == "mailing-list") return "\x1b[96m";  // light cyan
    if (role == "unknown") return kDim;
    return "";  // external-delivery: the plain end of the story
}

// "ESMTP", "ESMTP via listexpand", "via listexpand" (a stamp with no
// protocol), "-".
std::string protocol_text(const ReceivedFields& f) {
    std::string s = f.with ? escape_for_terminal(*f.with) : std::string();
    if (f.via) s += (s.empty() ? "via " : " via ") + escape_for_terminal(*f.via);
    return s.empty() ? "-" : s;
}

// "TLS1_2", "TLS" when the stamp says TLS without a version, "-" when it says nothing.
std::string tls_text(const ReceivedFields& f) {
    if (!f.tls) return "-";
    return !f.tls->version || *f.tls->version == "unknown" ? std::string("TLS") : "TLS " + *f.tls->version;
}

std::string bar(std::int64_t delay, std::int64_t max, bool unicode) {
    if (delay <= 0 || max <= 0) return {};
    auto n = static_cast<std::size_t>((delay * static_cast<std::int64_t>(kBarWidth) + max - 1) / max);
    n = std::clamp<std::size_t>(n, 1, kBarWidth);
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += unicode ? "\u2588" : "#";
    return out;
}

}  // namespace

namespace {

// Whether `o`, the trace's origin_of, is Microsoft 365's own host first in a
// header cut above the entry (the relay answer says the first sender is
// Microsoft's): no origin to give.
bool microsoft_host_first(const Trace& t, const SenderSide& o) {
    if (t.hops.empty() || !t.relay || !t.relay->first_sender_microsoft) return false;
    const SenderSide& first = t.hops.front().fields.from;
    return o.host == first.host && o.ip == first.ip;
}

}  // namespace

SecurityContext security_context(const Trace& t) {
    return {.written_in_mailbox = t.relay && t.relay->method == "mailbox", .dkim_signed = t.dkim_signed};
}

std::optional<std::string> author_address(const Trace& t) {
    if (!t.from) return std::nullopt;
    // Most mail has neither header: From is parsed only when one is there.
    const auto original = find_signal(t, "X-Original-From");
    const auto sender = find_signal(t, "X-Original-Sender");
    if (!original && !sender) return std::nullopt;
    const std::optional<std::string> from = first_addr_spec(*t.from);
    if (original)
        if (auto a = first_addr_spec(*original); a && a != from) return a;
    if (sender && from)
        if (auto post = find_signal(t, "List-Post"); post && icontains(*post, "mailto:" + *from))
            if (auto a = first_addr_spec(*sender); a && a != from) return a;
    return std::nullopt;
}

SenderSide report_origin(const Trace& t) {
    SenderSide o = origin_of(t);
    return microsoft_host_first(t, o) ? SenderSide{} : o;
}

std::string origin_note(const Trace& t) {
    if (t.hops.empty()) return {};
    const ReceivedFields& first = t.hops.front().fields;
    const SenderSide o = origin_of(t);
    if (microsoft_host_first(t, o)) {
        std::string name = first.from.host ? *first.from.host : first.from.ip ? *first.from.ip : std::string("?");
        return " (the first stamp's sender is Microsoft 365's own host " + name +
               ": where the message started is not in this header)";
    }
    if (!o.host && !o.ip && mailbox_self_stamp(first))
        // The relay answer's way in: an SMTP client's submission proxied to
        // the mailbox server stamps the same 'with mapi' as a mailbox.
        return t.relay && t.relay->method == "client-submission"
                   ? " (submitted by an SMTP client through Exchange's front end to " + *first.by.host +
                         ": the client's address is not in this header)"
                   : " (written in a mailbox on " + *first.by.host + ": the client's address is not in this header)";
    return {};
}

std::string stopped_text(const Bounce& b, const Trace& o) {
    if (o.hops.empty()) return {};
    const auto& by = o.hops.back().fields.by;
    std::string out = "stopped after hop #" + std::to_string(o.hops.back().index);
    if (const auto& at = by.host ? by.host : by.ip) out += " (" + *at + ")";
    const auto& from = b.report.reporting_mta ? b.report.reporting_mta : b.report.generating_server;
    if (from) out += ": the report came from " + *from;
    return out;
}

std::string delivered_text(const Trace& t) {
    std::string hops = std::to_string(t.hops.size()) + (t.hops.size() == 1 ? " hop" : " hops");
    std::string out = t.total_delay_s ? "in " + format_duration(*t.total_delay_s) + " over " + hops : "over " + hops;
    if (t.delay_from == "first-stamp" && t.sent_again_at > 0)
        out += ", from hop #" + std::to_string(t.sent_again_at + 1) + ", where it was sent again";
    else if (t.delay_from == "first-stamp")
        out += ", from the first stamp";
    const ClockFinding* date = nullptr;
    for (const auto& c : t.clock)
        if (c.kind == "date-ahead" || c.kind == "date-behind") date = &c;
    if (date != nullptr && date->kind == "date-behind")
        out += "; the Date header is " + format_duration(date->min_s) +
               " behind (its zone is wrong, or the message waited that long before the first stamp)";
    else if (date != nullptr)
        out += "; the Date header is " + format_duration(date->min_s) + " ahead (device clock fast" +
               (date->device_or_server ? ", or the first server's slow)"
                : date->zone_sized     ? ", or its zone is wrong)"
                                       : ")");
    else if (t.created && !t.created_certain)
        out += std::ranges::any_of(t.anomalies, [](const Anomaly& a) { return a.kind == "implausible-date"; })
                   ? " (the Date header's year is implausible: not counted)"
               : std::ranges::any_of(
                     t.anomalies, [](const Anomaly& a) { return a.kind == "missing-zone" || a.kind == "unknown-zone"; })
                   ? " (the Date header names no time zone: not counted)"
                   : " (two Date headers disagree: not counted)";
    else if (!t.created && t.created_text)
        out += " (the Date header is unreadable)";
    else if (!t.created)
        out += " (no Date header)";
    return out;
}

std::string_view role_story(std::string_view role) {
    if (role == "origin-device") return "sending device";
    if (role == "local-relay") return "sender's own servers";
    if (role == "sender-infrastructure") return "sender's provider";
    if (role == "security-gateway") return "security gateway";
    if (role == "eop") return "Exchange Online Protection";
    if (role == "exchange-online") return "Exchange Online";
    if (role == "mailing-list") return "mailing list";
    if (role == "external-delivery") return "recipient";
    return "stamps that name no system";
}

std::string segment_story(const Trace& t, const OrgSegment& o) {
    std::string what(role_story(o.role));
    if (o.service && o.role != "unknown") {
        // "sender's provider (Gmail)", but "sender's provider: Google (Gmail / Workspace)"
        bool nested = o.service->find_first_of("()") != std::string::npos;
        what += nested ? ": " + *o.service : " (" + *o.service + ")";
    }
    bool two =
        std::ranges::any_of(
            t.orgs, [](const OrgSegment& s) { return s.tenant && s.tenant->side && *s.tenant->side == "recipient"; }) &&
        std::ranges::any_of(
            t.orgs, [](const OrgSegment& s) { return s.tenant && s.tenant->side && *s.tenant->side == "sender"; });
    if (two && o.tenant && o.tenant->side)
        what += *o.tenant->side == "sender" ? " (sender's tenant)" : " (recipient's tenant)";
    return what;
}

std::string_view reason_words(std::string_view reason) {
    if (reason == "connector") return "through an inbound connector";
    if (reason == "connector-not-matched") return "the relay was reached, but no inbound connector matched";
    if (reason == "direct-send") return "Direct Send to the tenant's MX";
    if (reason == "client-submission") return "SMTP AUTH client submission";
    if (reason == "mailbox") return "written in an Exchange Online mailbox";
    if (reason == "inbound") return "another organisation's mail";
    if (reason == "not-your-relay") return "not the relay --relay names";
    if (reason == "gateway-only") return "only a security gateway before Microsoft 365";
    if (reason == "connector-without-relay") return "a connector took it, but no relay of the sender's did";
    if (reason == "partner-connector") return "a Partner connector took the organisation's own mail";
    if (reason == "no-relay") return "no relay of the sender's before Microsoft 365";
    if (reason == "no-connector-headers") return "Exchange's headers do not say how Microsoft 365 took it in";
    if (reason == "no-microsoft-365") return "this message never reached Microsoft 365";
    if (reason == "refused-by-microsoft-365") return "refused by Microsoft 365, never taken in";
    if (reason == "no-received") return "no Received stamp: the headers do not tell";
    if (reason == "no-microsoft-365-stamps") return "the stamp of Microsoft 365's entry is not in this header";
    if (reason == "outlook-com") return "sent from a personal Outlook.com mailbox";
    if (reason == "microsoft-365-report") return "a delivery report Microsoft 365 wrote itself";
    return "the headers do not tell";
}

std::string tls_version_words(const RelayVerdict& v) {
    if (!v.tls) return v.entry_cut ? " (TLS not known: the stamp is cut short)" : "";
    if (!*v.tls) return " WITHOUT TLS";
    if (!v.tls_version || *v.tls_version == "unknown") return " with TLS (version not stated)";
    return " with TLS " + *v.tls_version;
}

std::string verdict_line(const RelayVerdict& v) {
    std::string from = v.host && v.host->starts_with("[") && v.ip
                           ? "[" + *v.ip + "] (HELO " + escape_for_terminal(*v.host) + ")"
                           : escape_for_terminal(v.host.value_or(v.ip ? "" : "an unnamed sender")) +
                                 (v.ip ? (v.host ? " [" : "[") + *v.ip + "]" : std::string());
    std::string tls = tls_version_words(v);
    std::string connector;
    if (v.connector && v.connector->name) {
        connector = (v.connector->not_ruled_out.empty() ? " through connector '" : " probably through connector '") +
                    escape_for_terminal(*v.connector->name) + "'";
        if (!v.connector->not_ruled_out.empty()) {
            std::string others;
            for (const auto& o : v.connector->not_ruled_out) others += (others.empty() ? "'" : ", '") + o + "'";
            connector += " (" + escape_for_terminal(others) + " not ruled out)";
        }
    } else if (v.connector && v.connector->tie) {
        // Several match alike: each is named, none chosen.
        connector = " through connector " + escape_for_terminal(*connector_label(*v.connector)) +
                    " (each matches; which one Exchange Online uses is not documented)";
    } else if (v.connector && !v.connector->not_ruled_out.empty() && v.state == "traversed") {
        // None matches, but the files cannot rule these out.
        std::string others;
        for (const auto& o : v.connector->not_ruled_out) others += (others.empty() ? "'" : ", '") + o + "'";
        connector = " (through an inbound connector; " + escape_for_terminal(others) +
                    (v.connector->not_ruled_out.size() == 1 ? " is" : " are") + " not ruled out by the files given)";
    }
    std::string via = v.via ? ", via " + escape_for_terminal(v.via->product) : std::string();
    if (v.state == "traversed")
        return "TRAVERSED: " + from + " -> EOP" + tls +
               (connector.empty() ? " (" + std::string(reason_words(v.reason)) + via + ")" : connector + via);
    bool sender = v.entry_hop && v.method != "mailbox";
    std::string where = sender ? " (Microsoft 365 received it from " + from + tls + ")" : std::string();
    if (v.state == "not-traversed") return "NOT TRAVERSED: " + std::string(reason_words(v.reason)) + where;
    return "NOT APPLICABLE: " + std::string(reason_words(v.reason)) + where;
}

namespace {

std::string check_text(const FarEndCheck& c) {
    std::string out = c.method == "spf" ? "SPF " : c.method == "dkim" ? "DKIM " : "DMARC ";
    out += c.result;
    if (c.domain && c.method != "dmarc") {
        out += " (" + std::string(c.method == "dkim" ? "d=" : "") + *c.domain;
        if (c.aligned && c.result == "pass") out += *c.aligned ? ", aligned" : ", not aligned";
        out += ")";
    }
    return out;
}

}  // namespace

std::string far_end_line(const FarEnd& f) {
    std::string out = f.authserv_id.value_or("the next receiver") + " received it from " +
                      f.sender_ip.value_or("Microsoft 365") + " (hop #" + std::to_string(f.hop) + ")";
    std::vector<std::string> parts;
    if (f.spf) parts.push_back(check_text(*f.spf));
    for (const auto& d : f.dkim) parts.push_back(check_text(d));
    if (f.dkim.empty()) parts.emplace_back("no DKIM");
    if (f.dmarc) parts.push_back(check_text(*f.dmarc) + (f.from_domain ? " for " + *f.from_domain : std::string()));
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? ": " : ", ") + parts[i];
    return out;
}

std::string format_duration(std::int64_t seconds) {
    return duration_text(seconds);
}

std::string bounce_headline(const Bounce& b) {
    std::string action = b.action.value_or("failed");
    for (char& c : action) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // What the report does not name is said so, not shown as "?".
    std::string line = "Delivery" + (b.recipient ? " to " + *b.recipient : std::string()) + " " + action;
    if (b.server) line += (b.server_only_reported ? ", reported by " : " at ") + *b.server;
    if (b.status) line += " (" + *b.status + ")";
    if (!b.recipient)
        line += b.server ? " (no recipient found in what was read of the report)"
                         : " (no recipient or server found in what was read of the report)";
    return escape_for_terminal(line);
}

std::string notification_headline(const Bounce& n) {
    std::string action = n.action.value_or("?");
    std::string upper = action;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // Relayed to the next server, delivered to the recipient; delayed or expanded at a server.
    std::string line = "Delivery notification: " + upper;
    if (action == "relayed")
        line += n.server ? " to " + *n.server
                         : (n.recipient ? " for " + *n.recipient : std::string()) +
                               " to a next server the report does not name";
    else if (action == "delivered")
        line += " to " + n.recipient.value_or("a recipient the report does not name") +
                (n.server ? " at " + *n.server : "");
    else
        line += (n.recipient ? " for " + *n.recipient : "") + (n.server ? " at " + *n.server : std::string());
    std::string note(notification_note(action));
    if (action == "delayed" && n.status) note = *n.status + "; " + note;
    if (!note.empty()) line += " (" + note + ")";
    return escape_for_terminal(line);
}

namespace {

std::string bounce_line(const Bounce& b) {
    std::string line =
        bounce_headline(b) + (b.explanation ? ": " + escape_for_terminal(*b.explanation) : std::string());
    // The headline is the first failed recipient's: the others that failed
    // too are counted, and said when their cause differs.
    std::size_t others = 0;
    bool other_cause = false;
    for (const auto& r : b.report.recipients) {
        if (recipient_outcome(r) != "failed" || (b.recipient && r.address == b.recipient)) continue;
        ++others;
        other_cause = other_cause || r.status != b.status;
    }
    if (b.recipient && others > 0)
        line += std::string(line.ends_with('.') ? "" : ".") + " Also failed: " + std::to_string(others) +
                " more recipient" + (others == 1 ? "" : "s") +
                (other_cause ? ", for another cause (below)." : ", for the same cause (below).");
    return line;
}

}  // namespace

namespace {

// A With cell in full ("Microsoft SMTP Server via Frontend Transport") and
// in the short form used before any host name is cut ("MS SMTP via Frontend").
std::string short_with(std::string_view full) {
    std::string s(full);
    auto swap = [&s](std::string_view from, std::string_view to) {
        if (auto at = s.find(from); at != std::string::npos) s.replace(at, from.size(), to);
    };
    swap("Microsoft SMTP Server", "MS SMTP");
    swap("via Frontend Transport", "via Frontend");
    return s;
}

bool has_skew(const Hop& h) {
    return std::any_of(h.anomalies.begin(), h.anomalies.end(), [](const Anomaly& a) { return a.kind == "clock-skew"; });
}

// The hop table: the day once above it and times of day per row, the delay
// with a short bar, the organisation lines naming the roles (a Role column
// only for a chain not classified), then From, By, TLS and With. On a
// terminal it fits the width: With is shortened first, then the From and
// By names are cut, never below a readable minimum and never an address.
void hop_table(std::string& out, const Trace& t, const TextStyle& style) {
    Painter paint{style.colour};
    const bool role_column = t.orgs.empty();
    std::int64_t max_delay = 0;
    for (const auto& h : t.hops)
        if (h.delay_s) max_delay = std::max(max_delay, *h.delay_s);
    std::string day;  // the first dated hop's date in the display zone
    for (const auto& h : t.hops)
        if (h.fields.time) {
            day = style.zone.format(*h.fields.time).substr(0, 10);
            break;
        }

    enum Col : std::size_t { kNum, kTime, kDelay, kRole, kFrom, kBy, kTls, kWith, kCols };
    const std::array<const char*, kCols> head = {"#", "Time", "Delay", "Role", "From", "By", "TLS", "With"};
    struct Row {
        std::array<std::string, kCols> cells;
        HostCell from;
        HostCell by;
        std::string with_short;
        bool skew = false;
    };
    std::vector<Row> rows;
    rows.reserve(t.hops.size());
    std::size_t delay_w = 0;
    for (const auto& h : t.hops) {
        const auto& f = h.fields;
        Row r;
        r.skew = has_skew(h) && !h.delay_s;
        r.cells[kNum] = std::to_string(h.index);
        if (f.time) {
            std::string when = style.zone.format(*f.time);
            r.cells[kTime] = when.compare(0, 10, day) == 0 ? when.substr(11) : when;
        } else {
            r.cells[kTime] = "?";
        }
        r.cells[kDelay] = h.delay_s ? format_duration(*h.delay_s) : (r.skew ? "skew" : "-");
        delay_w = std::max(delay_w, display_width(r.cells[kDelay]));
        r.cells[kRole] = std::string(h.role);
        r.cells[kTls] = tls_text(f);
        r.cells[kWith] = protocol_text(f);
        r.with_short = short_with(r.cells[kWith]);
        r.from = sender_cell(f.from);
        r.by = receiver_cell(f.by);
        rows.push_back(std::move(r));
    }
    // The delay right-aligned, its bar after it.
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const Hop& h = t.hops[k];
        std::string b = h.delay_s ? bar(*h.delay_s, max_delay, style.unicode) : std::string();
        rows[k].cells[kDelay] = pad(rows[k].cells[kDelay], delay_w, true) + (b.empty() ? "" : " " + b);
    }

    std::array<std::size_t, kCols> widths{};
    for (std::size_t i = 0; i < kCols; ++i) widths[i] = display_width(head[i]);
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < kCols; ++i) widths[i] = std::max(widths[i], display_width(r.cells[i]));
        widths[kFrom] = std::max(widths[kFrom], r.from.width());
        widths[kBy] = std::max(widths[kBy], r.by.width());
    }
    if (!role_column) widths[kRole] = 0;
    auto line_width = [&] {
        std::size_t w = 0;
        std::size_t shown = 0;
        for (std::size_t i = 0; i < kCols; ++i)
            if (i != kRole || role_column) {
                w += widths[i];
                ++shown;
            }
        return w + 2 * (shown - 1);
    };
    if (style.width > 0 && line_width() > style.width) {
        // With first, to its short form; then the widest of From, By and
        // With a column at a time, down to what keeps a cut name readable
        // and its address whole, and With to eight columns.
        std::size_t with_short = display_width(head[kWith]);
        for (const auto& r : rows) with_short = std::max(with_short, display_width(r.with_short));
        std::size_t excess = line_width() - style.width;
        widths[kWith] -= std::min(excess, widths[kWith] - std::min(widths[kWith], with_short));
        std::array<std::size_t, 3> cols = {kFrom, kBy, kWith};
        std::array<std::size_t, 3> floors{};
        for (std::size_t c = 0; c < cols.size(); ++c) {
            std::size_t fl = std::max(display_width(head[cols[c]]), kMinNameWidth);
            if (cols[c] == kWith) fl = std::max(display_width(head[kWith]), kMinNameWidth - 4);
            for (const auto& r : rows) {
                if (cols[c] == kWith) break;
                const HostCell& cell = cols[c] == kFrom ? r.from : r.by;
                fl = std::max(fl, std::min(cell.width(), kMinNameWidth + display_width(cell.address)));
            }
            floors[c] = std::min(fl, widths[cols[c]]);
        }
        std::size_t line = line_width();
        while (line > style.width) {
            std::size_t pick = cols.size();
            for (std::size_t c = 0; c < cols.size(); ++c)
                if (widths[cols[c]] > floors[c] && (pick == cols.size() || widths[cols[c]] > widths[cols[pick]]))
                    pick = c;
            if (pick == cols.size()) break;  // as narrow as it goes: the terminal wraps the rest
            --widths[cols[pick]];
            --line;
        }
    }
    for (auto& r : rows) {
        r.cells[kFrom] = r.from.fit(widths[kFrom]);
        r.cells[kBy] = r.by.fit(widths[kBy]);
        if (display_width(r.cells[kWith]) > widths[kWith])
            r.cells[kWith] =
                display_width(r.with_short) <= widths[kWith] ? r.with_short : fit_width(r.with_short, widths[kWith]);
    }

    auto render_row = [&](const std::array<std::string, kCols>& cells, const char* role_paint) {
        std::string line;
        bool first = true;
        for (std::size_t i = 0; i < kCols; ++i) {
            if (i == kRole && !role_column) continue;
            if (!first) line += "  ";
            first = false;
            bool right = i == kNum;
            std::string cell = i + 1 == kCols ? cells[i] : pad(cells[i], widths[i], right);
            if (i == kRole && role_paint != nullptr && *role_paint != '\0') {
                std::size_t text = cell.find_last_not_of(' ') + 1;  // colour the word, not the padding
                cell = role_paint + cell.substr(0, text) + kReset + cell.substr(text);
            }
            line += cell;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return line;
    };
    if (!day.empty()) out += paint(kDim, "Times in " + escape_for_terminal(style.zone.label()) + ", " + day) + "\n";
    std::array<std::string, kCols> head_cells;
    for (std::size_t i = 0; i < kCols; ++i) head_cells[i] = head[i];
    out += paint(kBold, render_row(head_cells, nullptr)) + "\n";
    std::size_t segment = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        // The story: a line per organisation above its hops, in its role's colour.
        if (segment < t.orgs.size() && t.orgs[segment].first_hop == t.hops[k].index) {
            const OrgSegment& o = t.orgs[segment++];
            std::string who = o.org ? escape_for_terminal(*o.org) : "(no name)";
            std::string what = escape_for_terminal(segment_story(t, o));
            const char* colour = style.colour ? role_colour(o.role) : "";
            out += paint(kBold, "   " + who) + (style.unicode ? " \u2014 " : " - ") +
                   (*colour != '\0' ? std::string(colour) + what + kReset : paint(kDim, what)) + "\n";
        }
        const char* role_paint = style.colour && !rows[k].skew ? role_colour(t.hops[k].role) : nullptr;
        std::string line = render_row(rows[k].cells, role_paint);
        out += (rows[k].skew || has_skew(t.hops[k])) && style.colour ? paint(kRed, line) + "\n" : line + "\n";
    }
}

}  // namespace

namespace {

// Sources cited by the security section, numbered in order of first use:
// "[1]" after a meaning, the list at the end.
struct SourceNotes {
    std::vector<const MeaningSource*> used;
    std::string mark(const MeaningSource* s) {
        if (s == nullptr) return {};
        auto at = std::find(used.begin(), used.end(), s);
        if (at == used.end()) at = used.insert(used.end(), s);
        return " [" + std::to_string(at - used.begin() + 1) + "]";
    }
};

// The meaning of a field in words, its source marked: the value's row, else
// the key's (the value then not described), else nothing known.
std::string meaning_text(const SecurityField& f, SourceNotes& notes) {
    const FieldMeaning* row = f.row();
    if (row == nullptr) return "(not in hopscope's table)";
    std::string out(row->text);
    if (f.meaning.enumerated && !f.value_described() && !f.value.empty())
        out += " (this value is not described)";  // the table lists the key's values; not this one
    return out + notes.mark(row->source);
}

std::string value_text(std::string_view v) {
    return v.empty() ? std::string("(empty)") : escape_for_terminal(v);
}

// "    LABEL  VALUE  meaning", or, for a value too long to sit in a column,
// the meaning after the label and the value whole on the next line.
void field_line(std::string& out, const SecurityField& f, std::size_t label_w, SourceNotes& notes,
                std::string_view indent = "    ") {
    constexpr std::size_t kValueColumn = 30;
    std::string value = value_text(f.value);
    std::string label = escape_for_terminal(f.key);
    std::string lead = std::string(indent) + (label.empty() ? std::string() : pad(label, label_w) + "  ");
    if (display_width(value) > kValueColumn)
        out += lead + meaning_text(f, notes) + "\n" + std::string(display_width(lead), ' ') + value + "\n";
    else
        out += lead + pad(value, kValueColumn) + "  " + meaning_text(f, notes) + "\n";
}

// A one-value header on one line: "  NAME  VALUE  meaning" (a long value on
// the next line, whole).
void single_line(std::string& out, const SecurityField& f, SourceNotes& notes) {
    std::string value = value_text(f.value);
    std::string head = "  " + escape_for_terminal(f.key) + "  ";
    if (display_width(value) > 40)
        out += head + meaning_text(f, notes) + "\n      " + value + "\n";
    else
        out += head + value + "  " + meaning_text(f, notes) + "\n";
}

// One authentication result: "SPF  pass  with IP ... (mail from ...): the
// sending IP is allowed ...", and a composite reason or DMARC action in words.
void result_line(std::string& out, const HeaderInfo& ar_info, const AuthenticationResults& a, const AuthResult& r,
                 SourceNotes& notes, std::string_view indent) {
    FieldLookup m = result_meaning(ar_info, a, r);
    std::string details = auth_details(r);
    std::string line = std::string(indent) + pad(escape_for_terminal(auth_method_label(r.method)), 15) + " " +
                       pad(escape_for_terminal(r.result), 9) + " ";
    if (!details.empty()) line += escape_for_terminal(details) + ": ";
    if (const FieldMeaning* row = m.best(); row != nullptr)
        line += std::string(row->text) + notes.mark(row->source);
    else
        line += "(not in hopscope's table)";
    for (const auto& [k, v] : r.properties) {
        if (!iequals(k, "reason") && !(iequals(k, "action") && r.method == "dmarc")) continue;
        FieldLookup p = field_meaning(ar_info, k, v);
        if (p.value != nullptr)
            line += "; " + std::string(k) + " " + escape_for_terminal(v) + ": " + std::string(p.value->text) +
                    notes.mark(p.value->source);
    }
    out += line + "\n";
}

std::string header_title(const HeaderInfo& info) {
    std::string title(info.name);
    if (!info.vendor.empty() && info.vendor != "Microsoft") title += " (" + std::string(info.vendor) + ")";
    return title;
}

void security_text(std::string& out, const Trace& t, const TextStyle& style) {
    Painter paint{style.colour};
    SecurityReport sec = decode_security(t.signals, SecurityDecode::full, security_context(t));
    auto command = message_trace_command(t, sec);
    if (sec.empty() && !command) return;
    SourceNotes notes;
    const HeaderInfo* ar_info = header_info("Authentication-Results");
    if (!sec.groups.empty() || !sec.arc.sets.empty()) out += "\n" + paint(kBold, "Security headers") + "\n";
    bool arc_done = false;
    auto arc_text = [&] {
        if (arc_done || sec.arc.sets.empty()) return;
        arc_done = true;
        const ArcSet& newest = *sec.arc.newest();
        std::string line = "  " + paint(kBold, "ARC chain") + "  " + std::to_string(sec.arc.sets.size()) +
                           (sec.arc.sets.size() == 1 ? " set" : " sets");
        if (newest.cv) {
            line += "; the newest seal (i=" + std::to_string(newest.instance) +
                    (newest.sealed_by ? ", by " + escape_for_terminal(*newest.sealed_by) : std::string()) +
                    ") says cv=" + escape_for_terminal(*newest.cv);
            if (const FieldMeaning* row = newest.cv_meaning.best(); row != nullptr)
                line += ": " + std::string(row->text) + notes.mark(row->source);
        }
        out += line + "\n";
        for (const auto& set : sec.arc.sets) {
            std::string head = "    i=" + std::to_string(set.instance);
            if (set.results && set.results->authserv_id) head += "  " + escape_for_terminal(*set.results->authserv_id);
            if (!set.results) {
                out += head + "  " + paint(kDim, "(sealed, no ARC-Authentication-Results)") + "\n";
            } else if (set.same_as_group || set.same_as_set) {
                std::string same;
                if (set.same_as_group) {
                    const SecurityGroup& g = sec.groups[*set.same_as_group];
                    same = std::string(g.info->name) +
                           (g.auth.authserv_id ? " (" + escape_for_terminal(*g.auth.authserv_id) + ")" : std::string());
                } else {
                    same = "i=" + std::to_string(*set.same_as_set);
                }
                out += head + "  same results as " + same + (set.extra.empty() ? "" : ", and") + "\n";
                if (ar_info != nullptr)
                    for (std::size_t i : set.extra)
                        result_line(out, *ar_info, *set.results, set.results->results[i], notes, "      ");
            } else {
                out += head + "\n";
                if (ar_info != nullptr)
                    for (std::size_t i = 0; i < set.results->results.size(); ++i)
                        result_line(out, *ar_info, *set.results, set.results->results[i], notes, "      ");
            }
        }
    };
    for (const auto& g : sec.groups) {
        if (g.info->rank > header_info("ARC-Seal")->rank) arc_text();  // the chain after the receivers' results
        if (g.authentication()) {
            out += "  " + paint(kBold, std::string(g.info->name)) +
                   (g.auth.authserv_id ? "  " + escape_for_terminal(*g.auth.authserv_id) : std::string()) +
                   (g.info->status == MeaningStatus::undocumented
                        ? paint(kDim, "  (the field is undocumented by " + std::string(g.info->vendor) +
                                          "; its results read as Authentication-Results')")
                        : std::string()) +
                   "\n";
            if (ar_info != nullptr)
                for (std::size_t i = 0; i < g.auth.results.size(); ++i)
                    result_line(out, *ar_info, g.auth, g.auth.results[i], notes, "    ");
            continue;
        }
        if (g.fields.size() == 1 && g.fields[0].key == g.info->name) {  // a one-value header on one line
            single_line(out, g.fields[0], notes);
            continue;
        }
        if (g.info->name == "Received-SPF" && !g.fields.empty()) {
            // "Received-SPF  Pass: meaning", the receiver's comment, then what it checked.
            const SecurityField& result = g.fields[0];
            out += "  " + paint(kBold, "Received-SPF") + "  " + value_text(result.value) + ": " +
                   meaning_text(result, notes) + "\n";
            std::string checked;
            for (std::size_t i = 1; i < g.fields.size(); ++i) {
                const SecurityField& f = g.fields[i];
                if (f.key == "comment")
                    out += "    (" + escape_for_terminal(f.value) + ")\n";
                else
                    checked += (checked.empty() ? "" : ", ") + escape_for_terminal(f.key) + " " + value_text(f.value);
            }
            if (!checked.empty()) out += "    " + checked + "\n";
            continue;
        }
        bool multi_value = !g.fields.empty() && g.fields[0].key == g.info->name;
        out += "  " + paint(kBold, header_title(*g.info)) + "\n";
        if (multi_value) {  // one header, several values (X-IronPort-AV twice): the meaning once when alike
            const FieldMeaning* first = g.fields.front().row();
            bool alike = std::ranges::all_of(g.fields, [&](const SecurityField& f) { return f.row() == first; });
            if (alike && first != nullptr) {
                out += "    " + meaning_text(g.fields.front(), notes) + "\n";
                for (const auto& f : g.fields) out += "    " + value_text(f.value) + "\n";
                continue;
            }
            for (const auto& f : g.fields) {
                SecurityField v = f;
                v.key = "";
                field_line(out, v, 0, notes);
            }
            continue;
        }
        // Fields the vendor documents none of: their values in one line, the
        // meaning once.
        const FieldMeaning* common = g.fields.empty() ? nullptr : g.fields.front().row();
        bool all_alike = common != nullptr && common->status == MeaningStatus::undocumented &&
                         std::ranges::all_of(g.fields, [&](const SecurityField& f) { return f.row() == common; });
        if (all_alike) {
            std::string values;
            for (const auto& f : g.fields)
                values += (values.empty() ? "" : ", ") + escape_for_terminal(f.key) + " " + value_text(f.value);
            out += "    " + std::string(common->text) + notes.mark(common->source) + "\n    " + values + "\n";
            continue;
        }
        std::size_t w = 0;
        for (const auto& f : g.fields) w = std::max(w, display_width(escape_for_terminal(f.key)));
        for (const auto& f : g.fields) field_line(out, f, std::min<std::size_t>(w, 16), notes);
    }
    arc_text();

    if (!sec.ids.empty() || command) {
        out += "\n" +
               paint(kBold, outside_microsoft_365(t) ? "For the Exchange admin" : "For the Exchange Online admin") +
               "\n";
        std::vector<SecurityField> ids;
        for (const auto* f : {&sec.ids.network_message_id, &sec.ids.tenant_id, &sec.ids.end_to_end_latency})
            if (*f) ids.push_back(**f);
        std::size_t w = 0;
        for (const auto& f : ids) w = std::max(w, f.key.size());
        for (const auto& f : ids) {
            std::string value = value_text(f.value);
            if (sec.ids.end_to_end_latency && f.key == sec.ids.end_to_end_latency->key &&
                sec.ids.end_to_end_latency_ms) {
                std::int64_t ms = *sec.ids.end_to_end_latency_ms;
                value +=
                    " (" +
                    (ms < 59950 ? std::to_string((ms + 50) / 1000) + "." + std::to_string((ms + 50) % 1000 / 100) + "s"
                                : format_duration(ms / 1000)) +
                    ")";
            }
            out += "  " + pad(std::string(f.key), w) + "  " + value + "  " + meaning_text(f, notes) + "\n";
        }
        if (command) {
            out += "  " + escape_for_terminal(*command) + "\n";
            out += paint(kDim,
                         "    (Exchange Online PowerShell: the message in your tenant's message trace; without "
                         "dates the cmdlet searches only the last 48 hours, and trace data is kept 90 days)") +
                   "\n";
        }
    }
    if (!notes.used.empty()) {
        out += "\n" + paint(kDim, "Sources of the meanings above") + "\n";
        for (std::size_t i = 0; i < notes.used.size(); ++i)
            out += paint(kDim, "  [" + std::to_string(i + 1) + "] " + std::string(notes.used[i]->title) + "  " +
                                   std::string(notes.used[i]->url)) +
                   "\n";
    }
}

}  // namespace

std::string render_text(const Trace& t, const TextStyle& style) {
    Painter paint{style.colour};
    std::string out;
    auto field = [&](const char* label, const std::string& value) {
        out += paint(kBold, pad(label, 11)) + value + "\n";
    };
    // A bounce or a notification: why first, then the message it returned,
    // then its own chain.
    const Bounce* report = t.bounce ? &*t.bounce : t.notification ? &*t.notification : nullptr;
    if (report != nullptr) {
        const Bounce& b = *report;
        const bool bounce = static_cast<bool>(t.bounce);
        if (bounce) {
            out += paint(kBold, pad("Bounce", 11)) + paint(kYellow, bounce_line(b)) + "\n";
        } else {
            const std::string headline = notification_headline(b);
            out += paint(is_success_action(b.action.value_or("")) ? kBold : kYellow, headline) + "\n";
            // Said once: "(success; delivered to the mailbox)" is the whole explanation.
            if (b.explanation && headline.find(escape_for_terminal(*b.explanation)) == std::string::npos)
                out += "           " + escape_for_terminal(*b.explanation) + "\n";
        }
        if (b.hint) out += "           check: " + escape_for_terminal(*b.hint) + "\n";
        // Said once: a headline "reported by" the reporting MTA already names it.
        if (b.report.reporting_mta && !b.server_only_reported)
            out += "           reported by " + escape_for_terminal(*b.report.reporting_mta) +
                   (b.report.arrival_date ? ", arrived " + escape_for_terminal(*b.report.arrival_date) : "") + "\n";
        else if (b.report.arrival_date)
            out += "           arrived " + escape_for_terminal(*b.report.arrival_date) + "\n";
        for (const auto& x : b.report.recipients) {
            std::string_view outcome = recipient_outcome(x);
            const std::string who = escape_for_terminal(recipient_words(x));
            // A bounce lists its other recipients' outcomes too (a mixed report).
            if (bounce && outcome != "failed")
                out += "           " + who + ": " + std::string(outcome) +
                       (x.status ? " (" + escape_for_terminal(*x.status) + ")" : "") +
                       (x.remote_mta ? " at " + escape_for_terminal(*x.remote_mta) : "") + "\n";
            else if (x.diagnostic)
                // Said once: a diagnostic the headline quotes whole is not repeated.
                out += "           " + who + ": " +
                       (b.explanation &&
                                b.explanation->find("The report's diagnostic: " + *x.diagnostic) != std::string::npos
                            ? std::string("(the diagnostic quoted above)")
                            : escape_for_terminal(*x.diagnostic)) +
                       "\n";
            if (x.last_attempt_server)
                out += "           last attempt at " + escape_for_terminal(*x.last_attempt_server) + ": '" +
                       escape_for_terminal(x.last_attempt_result.value_or("")) + "'\n";
            if (auto when = attempt_words(x, b.report.arrival_date); !when.empty())
                out += "           " + escape_for_terminal(when) + "\n";
        }
        if (!b.original.empty()) {
            const Trace& o = b.original.front();
            out += "\n" + paint(kBold, "The returned message (" + b.report.original_kind + ")") + "\n\n";
            out += render_text(o, style);
            if (!o.hops.empty() && bounce)
                out += "           " + paint(kYellow, escape_for_terminal(stopped_text(b, o))) + "\n";
        } else if (t.input_kind == "header-block" || t.input_kind == "pst-item") {
            // Only the report's header fields were read (a paste of headers, a
            // PST/OST item's transport headers): its body may hold the message.
            out += "           (the returned message is not in what was read: only the report's header fields)\n";
        } else {
            out += "           (the report does not enclose the returned message)\n";
        }
        out += "\n" + paint(kBold, bounce ? "The bounce itself" : "The notification itself") + "\n\n";
    }
    auto mapi = [&](std::string_view name) {
        return std::find(t.from_mapi.begin(), t.from_mapi.end(), name) != t.from_mapi.end()
                   ? paint(kDim, "  (from MAPI, not the headers)")
                   : std::string();
    };
    // The answer at a glance first; its evidence closes the output.
    if (t.relay && !t.bounce) {
        std::string whose;
        if (!t.attachments.empty())
            whose = paint(kDim,
                          "  (this message; the " +
                              std::string(t.attachments.size() == 1 ? "message attached to it has its own, below"
                                                                    : "messages attached to it have their own, below") +
                              ")");
        out += paint(kBold, pad("Relay", 11)) + paint(t.relay->traversed ? kBold : kYellow, verdict_line(*t.relay)) +
               whose + "\n";
    }
    field("Subject", (t.subject ? safe(t.subject) : "-") + mapi("subject"));
    const std::optional<std::string> author = author_address(t);
    field("From",
          (t.from ? safe(t.from) : "-") + mapi("from") +
              (author ? paint(kDim, "  (written by " + escape_for_terminal(*author) + "; the list rewrote From)")
                      : std::string()));
    field("To", t.to ? safe(t.to) : "-");
    field("Message-ID", t.message_id ? safe(t.message_id) : "-");
    field("Created", t.created ? style.zone.format(*t.created) + (style.zone.label() == "UTC" ? " UTC" : "") +
                                     (t.created_certain ? "" : " (uncertain: see Anomalies)") + mapi("created")
                               : (t.created_text ? "unreadable: " + safe(t.created_text) : "- (no Date header)"));
    std::string delivered = delivered_text(t);
    if (auto clause = delivered.find("; the Date header is "); clause != std::string::npos)  // a clock off: in red
        delivered = delivered.substr(0, clause + 2) + paint(kRed, delivered.substr(clause + 2));
    field(t.undelivered ? "Travelled" : "Delivered", delivered);
    if (!t.hops.empty()) {
        field("Origin", sender_text(report_origin(t)) + escape_for_terminal(origin_note(t)));
    }
    out += "\n";

    if (!t.hops.empty()) {
        hop_table(out, t, style);
    } else {
        out += "No Received fields: nothing to trace.\n";
    }

    if (t.relay && !t.hops.empty()) {
        out += "\n" + paint(kBold, "Why each role") + "\n";
        for (const auto& h : t.hops) {
            std::string why;
            for (const auto& e : h.evidence) why += (why.empty() ? "" : "; ") + e;
            out += wrapped("  #" + std::to_string(h.index) + " " + std::string(h.role) + ": ", escape_for_terminal(why),
                           style.width);
        }
    }

    if (style.security) security_text(out, t, style);

    bool any = !t.anomalies.empty();
    for (const auto& h : t.hops) any = any || !h.anomalies.empty();
    if (any) {
        out += "\n" + paint(kBold, "Anomalies") + "\n";
        for (const auto& a : t.anomalies)
            out += "  " + paint(kYellow, a.kind) + ": " + escape_for_terminal(a.detail) + "\n";
        for (const auto& h : t.hops)
            for (const auto& a : h.anomalies)
                out += "  hop " + std::to_string(h.index) + " " + paint(kYellow, a.kind) + ": " +
                       escape_for_terminal(a.detail) + "\n";
    }
    if (!t.x_received.empty()) {
        out +=
            "\n" +
            paint(kDim, "Beside the chain (" + std::to_string(t.x_received.size()) +
                            (t.x_received.size() == 1 ? " X-Received-style stamp):" : " X-Received-style stamps):")) +
            "\n";
        for (const auto& h : t.x_received) {
            const auto& f = h.fields;
            out += "  " + escape_for_terminal(h.header) + ": " + (f.time ? style.zone.format(*f.time) : "?") + "  by " +
                   receiver_text(f.by) + "  " + protocol_text(f) + (f.tls ? "  " + tls_text(f) : "") + "\n";
        }
    }
    // Attached messages: their own chains, never part of this one.
    for (std::size_t i = 0; i < t.attachments.size(); ++i)
        out += "\n" + paint(kBold, "Attached message " + std::to_string(i + 1) + " (its own chain)") + "\n\n" +
               render_text(t.attachments[i], style);
    // The answer users came for closes the output.
    if (t.relay) {
        out += "\n" + paint(kBold, "Relay") + "      " +
               paint(t.relay->state == "traversed"       ? kBold
                     : t.relay->state == "not-traversed" ? kYellow
                                                         : kDim,
                     verdict_line(*t.relay)) +
               "\n";
        for (const auto& e : t.relay->evidence) out += wrapped("           - ", escape_for_terminal(e), style.width);
        if (t.relay->connector && !t.relay->connector->evidence.empty()) {
            out += paint(kBold, "Connector") + "  " +
                   escape_for_terminal(
                       connector_label(*t.relay->connector)
                           .value_or(t.relay->method == "connector-relay" ? "not named in the headers" : "-")) +
                   (t.relay->connector->matched_by ? " (matched by " + *t.relay->connector->matched_by + ")" : "") +
                   "\n";
            for (const auto& e : t.relay->connector->evidence)
                out += wrapped("           - ", escape_for_terminal(e), style.width);
        }
    }
    // After the relay: will the far end accept it?
    if (t.far_end) {
        out += paint(kBold, "Far end") + "    " + escape_for_terminal(far_end_line(*t.far_end)) + "\n";
        for (const auto& f : t.far_end->findings) {
            const char* colour = f.severity == "error" ? kRed : f.severity == "warning" ? kYellow : kDim;
            out += "           " + paint(colour, f.severity) + ": " + escape_for_terminal(f.message) + "\n";
            if (!f.hint.empty()) out += "             fix: " + escape_for_terminal(f.hint) + "\n";
        }
    }
    return out;
}

}  // namespace hopscope
