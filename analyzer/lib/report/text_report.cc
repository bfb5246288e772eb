#include "report/text_report.hh"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include "parse/security_headers.hh"
#include "report/display_text.hh"

namespace hopscope {
namespace {

constexpr std::size_t kBarWidth = 12;
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

// A host cell: the name, which may be cut, and the address, which never is.
struct HostCell {
    std::string name;
    std::string address;  // " [192.0.2.1]" or "[192.0.2.1]" when there is no name
    [[nodiscard]] std::size_t width() const { return display_width(name) + display_width(address); }
    [[nodiscard]] std::string fit(std::size_t width) const {
        std::size_t room = width > display_width(address) ? width - display_width(address) : 0;
        return (display_width(name) > room ? fit_width(name, std::max(room, kMinNameWidth)) : name) + address;
    }
};

HostCell sender_cell(const SenderSide& f) {
    std::string name = f.host ? escape_for_terminal(host_for_display(*f.host)) : std::string();
    if (f.rdns && f.helo && *f.rdns != *f.helo) name += " (helo " + escape_for_terminal(*f.helo) + ")";
    bool literal_of_ip = f.ip && f.host && *f.host == "[" + *f.ip + "]";
    std::string address;
    if (f.ip && !literal_of_ip) address = (name.empty() ? "[" : " [") + *f.ip + "]";
    if (name.empty() && address.empty()) name = "-";
    return {name, address};
}

std::string sender_text(const SenderSide& f) {
    HostCell c = sender_cell(f);
    return c.name + c.address;
}

HostCell receiver_cell(const ReceiverSide& b) {
    if (b.host) return {escape_for_terminal(host_for_display(*b.host)), ""};
    if (b.ip) return {"", "[" + *b.ip + "]"};
    return {"-", ""};
}

std::string receiver_text(const ReceiverSide& b) {
    HostCell c = receiver_cell(b);
    return c.name + c.address;
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

std::string protocol_text(const ReceivedFields& f) {
    std::string s = f.with ? escape_for_terminal(*f.with) : std::string("-");
    if (f.via) s += " via " + escape_for_terminal(*f.via);
    return s;
}

// "TLS1_2", "TLS" when the stamp says TLS without a version, "-" when it says nothing.
std::string tls_text(const ReceivedFields& f) {
    if (!f.tls) return "-";
    return f.tls->version ? escape_for_terminal(*f.tls->version) : std::string("TLS");
}

std::string bar(std::int64_t delay, std::int64_t max, bool unicode) {
    if (delay <= 0 || max <= 0) return {};
    auto n = static_cast<std::size_t>((delay * static_cast<std::int64_t>(kBarWidth) + max - 1) / max);
    n = std::clamp<std::size_t>(n, 1, kBarWidth);
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += unicode ? "\u2588" : "#";
    return out;
}

// One table line; `colours` (empty, or one per cell) paints cells after padding.
void row(std::string& out, const std::vector<std::string>& cells, const std::vector<std::size_t>& widths,
         const std::vector<bool>& right, const std::vector<const char*>& colours = {}) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) line += "  ";
        std::string cell = i + 1 == cells.size() ? cells[i] : pad(cells[i], widths[i], right[i]);
        if (!colours.empty() && colours[i] != nullptr && *colours[i] != '\0') {
            std::size_t text = cell.find_last_not_of(' ') + 1;  // colour the word, not the padding
            cell = colours[i] + cell.substr(0, text) + kReset + cell.substr(text);
        }
        line += cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
}

}  // namespace

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

std::string verdict_line(const RelayVerdict& v) {
    std::string relay = v.host.value_or("?") + (v.ip ? " [" + *v.ip + "]" : "");
    std::string tls = !v.tls ? "" : (*v.tls ? " with TLS" : " WITHOUT TLS");
    if (v.traversed) return "TRAVERSED: " + escape_for_terminal(relay) + " -> EOP" + tls;
    if (v.host || v.ip) return "NOT TRAVERSED: EOP received from " + escape_for_terminal(relay) + tls;
    return "NOT TRAVERSED: no EOP hop";
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
    bool neg = seconds < 0;
    std::uint64_t s = neg ? static_cast<std::uint64_t>(-(seconds + 1)) + 1 : static_cast<std::uint64_t>(seconds);
    std::array<char, 64> buf{};
    if (s < 60)
        (void)std::snprintf(buf.data(), buf.size(), "%llus", static_cast<unsigned long long>(s));
    else if (s < 3600)
        (void)std::snprintf(buf.data(), buf.size(), "%llum %02llus", static_cast<unsigned long long>(s / 60),
                            static_cast<unsigned long long>(s % 60));
    else if (s < 86400)
        (void)std::snprintf(buf.data(), buf.size(), "%lluh %02llum %02llus", static_cast<unsigned long long>(s / 3600),
                            static_cast<unsigned long long>(s % 3600 / 60), static_cast<unsigned long long>(s % 60));
    else
        (void)std::snprintf(buf.data(), buf.size(), "%llud %02lluh %02llum", static_cast<unsigned long long>(s / 86400),
                            static_cast<unsigned long long>(s % 86400 / 3600),
                            static_cast<unsigned long long>(s % 3600 / 60));
    return (neg ? "-" : "") + std::string(buf.data());
}

std::string bounce_headline(const Bounce& b) {
    std::string action = b.action.value_or("failed");
    for (char& c : action) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string line = "Delivery to " + b.recipient.value_or("?") + " " + action + " at " + b.server.value_or("?");
    if (b.status) line += " (" + *b.status + ")";
    return escape_for_terminal(line);
}

namespace {

std::string bounce_line(const Bounce& b) {
    return bounce_headline(b) + (b.explanation ? ": " + escape_for_terminal(*b.explanation) : std::string());
}

}  // namespace

std::string render_text(const Trace& t, const TextStyle& style) {
    Painter paint{style.colour};
    std::string out;
    auto field = [&](const char* label, const std::string& value) {
        out += paint(kBold, pad(label, 11)) + value + "\n";
    };
    // A bounce: why first, then the message it returned, then its own chain.
    if (t.bounce) {
        const Bounce& b = *t.bounce;
        out += paint(kBold, pad("Bounce", 11)) + paint(kYellow, bounce_line(b)) + "\n";
        if (b.hint) out += "           check: " + escape_for_terminal(*b.hint) + "\n";
        if (b.report.reporting_mta)
            out += "           reported by " + escape_for_terminal(*b.report.reporting_mta) +
                   (b.report.arrival_date ? ", arrived " + escape_for_terminal(*b.report.arrival_date) : "") + "\n";
        for (const auto& x : b.report.recipients)
            if (x.diagnostic)
                out += "           " + escape_for_terminal(x.address.value_or("?")) + ": " +
                       escape_for_terminal(*x.diagnostic) + "\n";
        if (!b.original.empty()) {
            const Trace& o = b.original.front();
            out += "\n" + paint(kBold, "The returned message (" + b.report.original_kind + ")") + "\n\n";
            out += render_text(o, style);
            if (!o.hops.empty())
                out += "           " +
                       paint(kYellow, "stopped after hop #" + std::to_string(o.hops.back().index) + " (" +
                                          escape_for_terminal(o.hops.back().fields.by.host.value_or("?")) +
                                          "): the report came from " +
                                          escape_for_terminal(b.report.reporting_mta.value_or("?"))) +
                       "\n";
        } else {
            out += "           (the report does not enclose the returned message)\n";
        }
        out += "\n" + paint(kBold, "The bounce itself") + "\n\n";
    }
    auto mapi = [&](std::string_view name) {
        return std::find(t.from_mapi.begin(), t.from_mapi.end(), name) != t.from_mapi.end()
                   ? paint(kDim, "  (from MAPI, not the headers)")
                   : std::string();
    };
    field("Subject", (t.subject ? safe(t.subject) : "-") + mapi("subject"));
    field("From", (t.from ? safe(t.from) : "-") + mapi("from"));
    field("To", t.to ? safe(t.to) : "-");
    field("Message-ID", t.message_id ? safe(t.message_id) : "-");
    field("Created", t.created
                         ? style.zone.format(*t.created) + (style.zone.label() == "UTC" ? " UTC" : "") + mapi("created")
                         : (t.created_text ? "unreadable: " + safe(t.created_text) : "- (no Date header)"));
    std::string delivered = t.total_delay_s ? format_duration(*t.total_delay_s) : "-";
    delivered += " over " + std::to_string(t.hops.size()) + (t.hops.size() == 1 ? " hop" : " hops");
    if (!t.created && t.total_delay_s) delivered += " (from the first hop; no readable Date)";
    field("Delivered", "after " + delivered);
    if (!t.hops.empty()) {
        const auto& o = t.hops.front().fields.from;
        field("Origin", sender_text(o));
    }
    out += "\n";

    if (!t.hops.empty()) {
        std::int64_t max_delay = 0;
        for (const auto& h : t.hops)
            if (h.delay_s) max_delay = std::max(max_delay, *h.delay_s);
        std::vector<std::string> head = {
            "#", "Time (" + style.zone.label() + ")", "Delay", "", "Role", "From", "By", "TLS", "With"};
        struct Row {
            std::vector<std::string> cells;
            HostCell from;
            HostCell by;
        };
        constexpr std::size_t kFrom = 5;
        constexpr std::size_t kBy = 6;
        std::vector<Row> rows;
        for (const auto& h : t.hops) {
            const auto& f = h.fields;
            rows.push_back({{std::to_string(h.index), f.time ? style.zone.format(*f.time) : "?",
                             h.delay_s ? format_duration(*h.delay_s) : "-",
                             h.delay_s ? bar(*h.delay_s, max_delay, style.unicode) : "", std::string(h.role), "", "",
                             tls_text(f), protocol_text(f)},
                            sender_cell(f.from),
                            receiver_cell(f.by)});
        }
        std::vector<std::size_t> widths(head.size(), 0);
        for (std::size_t i = 0; i < head.size(); ++i) widths[i] = display_width(head[i]);
        for (const auto& r : rows) {
            for (std::size_t i = 0; i < r.cells.size(); ++i) widths[i] = std::max(widths[i], display_width(r.cells[i]));
            widths[kFrom] = std::max(widths[kFrom], r.from.width());
            widths[kBy] = std::max(widths[kBy], r.by.width());
        }
        // Too wide for the terminal: take the excess a column at a time from
        // the widest of From, By and With, never below what keeps a cut name
        // readable and its address whole.
        constexpr std::size_t kWith = 8;
        if (style.width > 0) {
            std::size_t line = 0;
            for (std::size_t i = 0; i < widths.size(); ++i) line += widths[i] + (i > 0 ? 2 : 0);
            std::array<std::size_t, 3> floors{};
            std::array<std::size_t, 3> cols = {kFrom, kBy, kWith};
            for (std::size_t c = 0; c < cols.size(); ++c) {
                std::size_t f = std::max(display_width(head[cols[c]]), kMinNameWidth);
                if (cols[c] != kWith)
                    for (const auto& r : rows) {
                        const HostCell& cell = cols[c] == kFrom ? r.from : r.by;
                        f = std::max(f, std::min(cell.width(), kMinNameWidth + display_width(cell.address)));
                    }
                floors[c] = std::min(f, widths[cols[c]]);
            }
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
                r.cells[kWith] = fit_width(r.cells[kWith], widths[kWith]);
        }
        std::vector<bool> right = {true, false, true, false, false, false, false, false, false};
        std::string header_line;
        row(header_line, head, widths, right);
        out += paint(kBold, header_line.substr(0, header_line.size() - 1)) + "\n";
        std::size_t segment = 0;
        for (std::size_t k = 0; k < rows.size(); ++k) {
            // The story: a line per organisation above its hops.
            if (segment < t.orgs.size() && t.orgs[segment].first_hop == t.hops[k].index) {
                const OrgSegment& o = t.orgs[segment++];
                std::string who = o.org ? escape_for_terminal(*o.org) : "(no name)";
                std::string what(role_story(o.role));
                if (o.service && o.role != "unknown") what += " (" + escape_for_terminal(*o.service) + ")";
                out += paint(kBold, "   " + who) + paint(kDim, (style.unicode ? " \u2014 " : " - ") + what) + "\n";
            }
            std::string line;
            bool skew = false;
            for (const auto& a : t.hops[k].anomalies) skew = skew || a.kind == "clock-skew";
            std::vector<const char*> colours;
            if (style.colour && !skew) {
                colours.assign(rows[k].cells.size(), nullptr);
                colours[4] = role_colour(t.hops[k].role);
            }
            row(line, rows[k].cells, widths, right, colours);
            out += skew ? paint(kRed, line.substr(0, line.size() - 1)) + "\n" : line;
        }
    } else {
        out += "No Received fields: nothing to trace.\n";
    }

    if (t.relay) {
        out += "\n" + paint(kBold, "Why each role") + "\n";
        for (const auto& h : t.hops) {
            std::string why;
            for (const auto& e : h.evidence) why += (why.empty() ? "" : "; ") + e;
            out += "  #" + std::to_string(h.index) + " " + std::string(h.role) + ": " + escape_for_terminal(why) + "\n";
        }
    }

    if (style.security) {
        SecurityReport sec = decode_security(t.signals);
        if (!sec.empty()) {
            out += "\n" + paint(kBold, "Security headers") + "\n";
            for (const auto& a : sec.authentication) {
                std::string who(a.authserv_id.value_or("(no authserv-id: Microsoft)"));
                std::string arc = a.arc_instance ? " ARC i=" + std::to_string(*a.arc_instance) : "";
                for (const auto& line : a.summary)
                    out += "  " + escape_for_terminal(line) + "  " +
                           paint(kDim, "[" + escape_for_terminal(who) + arc + "]") + "\n";
            }
            if (sec.scl) out += "  SCL " + std::to_string(*sec.scl) + " (X-MS-Exchange-Organization-SCL)\n";
            for (const auto& f : sec.exchange_auth) {
                std::string_view key = f.key.substr(f.key.rfind('-') + 1);  // AuthAs, AuthMechanism, ...
                out += "  " + escape_for_terminal(key) + " " + escape_for_terminal(f.value) + "  " +
                       (f.meaning.empty() ? paint(kDim, "(value not in our table)") : std::string(f.meaning)) + "\n";
            }
            if (sec.bcl) out += "  BCL " + std::to_string(*sec.bcl) + " (bulk complaint level, X-Microsoft-Antispam)\n";
            for (const auto& f : sec.forefront) {
                if (f.key == "SFS" || f.key == "ARC") continue;  // opaque rule ids
                out += "  " + pad(escape_for_terminal(f.key), 5) + " " + pad(escape_for_terminal(f.value), 18) + " " +
                       (f.meaning.empty() ? paint(kDim, f.known_key ? "(value not in our table)" : "(unknown field)")
                                          : std::string(f.meaning)) +
                       "\n";
            }
            for (const auto& f : sec.mailbox_delivery)
                out += "  " + pad(escape_for_terminal(f.key), 5) + " " + pad(escape_for_terminal(f.value), 18) + " " +
                       (f.meaning.empty() ? paint(kDim, "(unknown field)") : std::string(f.meaning)) + "  " +
                       paint(kDim, "[Mailbox-Delivery]") + "\n";
        }
    }

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
        out += "\n" +
               paint(kDim, "Beside the chain (" + std::to_string(t.x_received.size()) + " X-Received-style stamps):") +
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
               paint(t.relay->traversed ? kBold : kYellow, verdict_line(*t.relay)) + "\n";
        for (const auto& e : t.relay->evidence) out += "           - " + escape_for_terminal(e) + "\n";
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
