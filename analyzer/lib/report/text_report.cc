#include "report/text_report.hh"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "parse/security_headers.hh"
#include "report/display_text.hh"

namespace hopscope {
namespace {

constexpr std::size_t kBarWidth = 12;
constexpr std::size_t kHostWidth = 44;
constexpr std::size_t kByWidth = 36;

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

std::string sender_text(const SenderSide& f) {
    std::string name = f.host ? escape_for_terminal(host_for_display(*f.host)) : std::string();
    if (f.rdns && f.helo && *f.rdns != *f.helo) name += " (helo " + escape_for_terminal(*f.helo) + ")";
    bool literal_of_ip = f.ip && f.host && *f.host == "[" + *f.ip + "]";
    if (f.ip && !literal_of_ip) name += (name.empty() ? "[" : " [") + *f.ip + "]";
    return name.empty() ? "-" : name;
}

std::string receiver_text(const ReceiverSide& b) {
    if (b.host) return escape_for_terminal(host_for_display(*b.host));
    if (b.ip) return "[" + *b.ip + "]";
    return "-";
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

void row(std::string& out, const std::vector<std::string>& cells, const std::vector<std::size_t>& widths,
         const std::vector<bool>& right) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) line += "  ";
        line += i + 1 == cells.size() ? cells[i] : pad(cells[i], widths[i], right[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
}

}  // namespace

std::string verdict_line(const RelayVerdict& v) {
    std::string relay = v.host.value_or("?") + (v.ip ? " [" + *v.ip + "]" : "");
    std::string tls = !v.tls ? "" : (*v.tls ? " with TLS" : " WITHOUT TLS");
    if (v.traversed) return "TRAVERSED: " + escape_for_terminal(relay) + " -> EOP" + tls;
    if (v.host || v.ip) return "NOT TRAVERSED: EOP received from " + escape_for_terminal(relay) + tls;
    return "NOT TRAVERSED: no EOP hop";
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

std::string render_text(const Trace& t, const TextStyle& style) {
    Painter paint{style.colour};
    std::string out;
    auto field = [&](const char* label, const std::string& value) {
        out += paint(kBold, pad(label, 11)) + value + "\n";
    };
    field("Subject", t.subject ? safe(t.subject) : "-");
    field("From", t.from ? safe(t.from) : "-");
    field("To", t.to ? safe(t.to) : "-");
    field("Message-ID", t.message_id ? safe(t.message_id) : "-");
    field("Created", t.created ? style.zone.format(*t.created) + (style.zone.label() == "UTC" ? " UTC" : "")
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
        std::vector<std::vector<std::string>> rows;
        for (const auto& h : t.hops) {
            const auto& f = h.fields;
            rows.push_back({std::to_string(h.index), f.time ? style.zone.format(*f.time) : "?",
                            h.delay_s ? format_duration(*h.delay_s) : "-",
                            h.delay_s ? bar(*h.delay_s, max_delay, style.unicode) : "", h.role,
                            fit_width(sender_text(f.from), kHostWidth), fit_width(receiver_text(f.by), kByWidth),
                            tls_text(f), protocol_text(f)});
        }
        std::vector<std::size_t> widths(head.size(), 0);
        for (std::size_t i = 0; i < head.size(); ++i) widths[i] = display_width(head[i]);
        for (const auto& r : rows)
            for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], display_width(r[i]));
        std::vector<bool> right = {true, false, true, false, false, false, false, false, false};
        std::string header_line;
        row(header_line, head, widths, right);
        out += paint(kBold, header_line.substr(0, header_line.size() - 1)) + "\n";
        for (std::size_t k = 0; k < rows.size(); ++k) {
            std::string line;
            row(line, rows[k], widths, right);
            bool skew = false;
            for (const auto& a : t.hops[k].anomalies) skew = skew || a.kind == "clock-skew";
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
            out += "  #" + std::to_string(h.index) + " " + h.role + ": " + escape_for_terminal(why) + "\n";
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
    // The answer users came for closes the output.
    if (t.relay) {
        out += "\n" + paint(kBold, "Relay") + "      " +
               paint(t.relay->traversed ? kBold : kYellow, verdict_line(*t.relay)) + "\n";
        for (const auto& e : t.relay->evidence) out += "           - " + escape_for_terminal(e) + "\n";
    }
    return out;
}

}  // namespace hopscope
