#include "report/html_report.hh"

#include <algorithm>
#include <cctype>

#include "parse/date_parser.hh"
#include "parse/security_headers.hh"
#include "report/display_text.hh"
#include "report/html_writer.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"

// HTML fragments spliced with escaped values: as raw literals each would be cut in many.
// NOLINTBEGIN(modernize-raw-string-literal)
namespace hopscope {
namespace {

std::string h(std::string_view s) {
    return html_text(s);
}

std::string opt(const std::optional<std::string>& s, std::string_view none = "-") {
    return s ? html_text(*s) : std::string(none);
}

// "mail.example.com (helo mx1) rdns [192.0.2.1]", each part escaped.
std::string sender_html(const SenderSide& f) {
    std::string out;
    if (f.host) out += h(host_for_display(*f.host));
    if (f.helo && f.helo != f.host)
        out += (out.empty() ? "" : " ") + std::string("<span class=\"muted\">helo</span> ") + h(*f.helo);
    if (f.rdns && f.rdns != f.host)
        out += (out.empty() ? "" : " ") + std::string("<span class=\"muted\">rdns</span> ") + h(*f.rdns);
    if (f.ip && !(f.host && f.host->find(*f.ip) != std::string::npos))
        out += (out.empty() ? "" : " ") + std::string("[") + h(*f.ip) + "]";
    return out.empty() ? "-" : out;
}

std::string receiver_html(const ReceiverSide& b) {
    std::string out = b.host ? h(host_for_display(*b.host)) : std::string();
    if (b.ip) out += (out.empty() ? "" : " ") + std::string("[") + h(*b.ip) + "]";
    return out.empty() ? "-" : out;
}

std::string tls_html(const ReceivedFields& f) {
    if (!f.tls) return "-";
    // The cipher is long: in the cell's tooltip, not its width.
    return "<span title=\"" + h(f.tls->cipher.value_or("")) + "\">" + h(f.tls->version.value_or("TLS")) + "</span>";
}

std::string role_html(std::string_view role) {
    return "<span class=\"role r-" + h(role) + "\">" + h(role) + "</span>";
}

// <time> in UTC, with the reader's zone filled in by the script into `local_id`.
std::string time_html(const std::optional<UnixTime>& t, const std::string& local_id) {
    if (!t) return "?";
    std::string iso = format_utc(*t);
    std::string shown = iso;
    std::replace(shown.begin(), shown.end(), 'T', ' ');
    if (!shown.empty() && shown.back() == 'Z') shown.pop_back();
    return "<time datetime=\"" + h(iso) + "\" data-local=\"" + local_id + "\">" + h(shown) + "</time>";
}

bool has_skew(const Hop& hop) {
    return std::any_of(hop.anomalies.begin(), hop.anomalies.end(),
                       [](const Anomaly& a) { return a.kind == "clock-skew"; });
}

// One horizontal bar per hop, scaled to the longest delay; a hop stamped
// before the one before it (clock skew) is drawn in red to the left of zero.
std::string timeline_svg(const Trace& t) {
    std::int64_t longest = 1;
    std::int64_t most_negative = 0;
    for (const auto& hop : t.hops)
        if (hop.delay_s) {
            longest = std::max(longest, *hop.delay_s);
            most_negative = std::min(most_negative, *hop.delay_s);
        }
    constexpr int kRow = 24;
    constexpr int kLabel = 210;  // room for "#12 exchange-online"
    constexpr int kWidth = 1100;
    const int plot = kWidth - kLabel - 160;
    const auto span = static_cast<double>(longest - most_negative);
    auto x_of = [&](std::int64_t v) {
        return kLabel + static_cast<int>(static_cast<double>(v - most_negative) / span * plot);
    };
    const int zero = x_of(0);
    const int height = static_cast<int>(t.hops.size()) * kRow + 8;
    std::string out = "<svg class=\"timeline\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(height) +
                      "\" role=\"img\" aria-label=\"Delay per hop\">";
    out += "<line class=\"grid\" x1=\"" + std::to_string(zero) + "\" y1=\"0\" x2=\"" + std::to_string(zero) +
           "\" y2=\"" + std::to_string(height) + "\"/>";
    int y = 4;
    for (const auto& hop : t.hops) {
        out += "<text x=\"4\" y=\"" + std::to_string(y + 15) + "\">#" + std::to_string(hop.index) + " " + h(hop.role) +
               "</text>";
        if (hop.delay_s) {
            std::int64_t d = *hop.delay_s;
            int a = std::min(zero, x_of(d));
            int w = std::max(2, std::abs(x_of(d) - zero));
            bool skew = has_skew(hop) || d < 0;
            out += "<rect class=\"" + std::string(skew ? "skewbar" : "bar") + "\" x=\"" + std::to_string(a) +
                   "\" y=\"" + std::to_string(y + 4) + "\" width=\"" + std::to_string(w) +
                   "\" height=\"14\" rx=\"2\"><title>" + h(format_duration(d)) + (skew ? " (clock skew)" : "") +
                   "</title></rect>";
            out += "<text x=\"" + std::to_string(std::max(zero, x_of(d)) + 6) + "\" y=\"" + std::to_string(y + 15) +
                   "\">" + h(format_duration(d)) + (skew ? " clock skew" : "") + "</text>";
        } else {
            out += "<text class=\"muted\" x=\"" + std::to_string(zero + 6) + "\" y=\"" + std::to_string(y + 15) +
                   "\">no delay (no time)</text>";
        }
        y += kRow;
    }
    return out + "</svg>";
}

std::string verdict_banner(const Trace& t) {
    std::string cls = "warn";
    std::string title;
    std::vector<std::string> evidence;
    if (t.bounce) {
        const Bounce& b = *t.bounce;
        cls = "bad";
        title = "NOT DELIVERED: " + bounce_headline(b);
        if (b.explanation) evidence.push_back(*b.explanation);
        if (b.hint) evidence.push_back("Check: " + *b.hint);
        for (const auto& r : b.report.recipients)
            if (r.diagnostic) evidence.push_back(r.address.value_or("?") + ": " + *r.diagnostic);
    } else if (t.relay) {
        const RelayVerdict& v = *t.relay;
        cls = v.traversed ? (v.tls && *v.tls ? "ok" : "warn") : "bad";
        title = verdict_line(v);
        evidence = v.evidence;
    } else {
        title = "No verdict: the chain was not classified";
    }
    std::string out = "<section class=\"banner " + cls + "\" id=\"verdict\"><strong>" + h(title) + "</strong>";
    if (!evidence.empty()) {
        out += "<ul>";
        for (const auto& e : evidence) out += "<li>" + h(e) + "</li>";
        out += "</ul>";
    }
    return out + "</section>\n";
}

std::string summary_html(const Trace& t, const std::string& id) {
    std::string out = "<dl class=\"summary\">";
    auto item = [&](std::string_view label, const std::string& value) {
        out += "<dt>" + std::string(label) + "</dt><dd>" + value + "</dd>";
    };
    auto mapi = [&](std::string_view name) {
        return std::find(t.from_mapi.begin(), t.from_mapi.end(), name) != t.from_mapi.end()
                   ? std::string(" <span class=\"muted\">(from MAPI, not the headers)</span>")
                   : std::string();
    };
    item("Subject", opt(t.subject) + mapi("subject"));
    item("From", opt(t.from) + mapi("from"));
    item("To", opt(t.to));
    item("Message-ID", "<span class=\"mono\">" + opt(t.message_id) + "</span>");
    item("Created",
         t.created
             ? time_html(t.created, id + "-created") + " UTC <span class=\"local\" id=\"" + id + "-created\"></span>"
             : (t.created_text ? "unreadable: " + h(*t.created_text) : std::string("- (no Date header)")));
    item("Total delay", (t.total_delay_s ? h(format_duration(*t.total_delay_s)) : std::string("-")) + " over " +
                            std::to_string(t.hops.size()) + (t.hops.size() == 1 ? " hop" : " hops"));
    if (!t.hops.empty()) item("Origin", sender_html(t.hops.front().fields.from));
    return out + "</dl>\n";
}

std::string hop_table(const Trace& t, const std::string& id) {
    if (t.hops.empty()) return "<p>No Received fields: nothing to trace.</p>\n";
    std::string out =
        "<div class=\"table\"><table class=\"hops\" id=\"" + id +
        "-hops\"><thead><tr><th class=\"num\">#</th><th>Time (UTC)</th><th class=\"local\">Your time (<span "
        "class=\"local-zone\">local</span>)</th><th "
        "class=\"num\">Delay</th><th>Role</th><th>Org</th><th>From</th><th>By</th><th>TLS</th>"
        "<th>With</th></tr></thead><tbody>";
    std::size_t segment = 0;
    for (const auto& hop : t.hops) {
        if (segment < t.orgs.size() && t.orgs[segment].first_hop == hop.index) {
            const OrgSegment& o = t.orgs[segment++];
            std::string what(role_story(o.role));
            if (o.service && o.role != "unknown") what += " (" + *o.service + ")";
            out += "<tr class=\"org\"><td colspan=\"10\">" + opt(o.org, "(no name)") + " <span>— " + h(what) +
                   "</span></td></tr>";
        }
        const auto& f = hop.fields;
        std::string local = id + "-t" + std::to_string(hop.index);
        out += std::string("<tr class=\"hop") + (has_skew(hop) ? " skew" : "") + "\"><td class=\"num\">" +
               std::to_string(hop.index) + "</td><td class=\"num\">" + time_html(f.time, local) +
               "</td><td class=\"num local\" id=\"" + local + "\"></td><td class=\"num\">" +
               (hop.delay_s ? h(format_duration(*hop.delay_s)) : std::string("-")) + "</td><td>" + role_html(hop.role) +
               "</td><td>" + opt(hop.org) + "</td><td class=\"host\">" + sender_html(f.from) +
               "</td><td class=\"host\">" + receiver_html(f.by) + "</td><td>" + tls_html(f) + "</td><td>" +
               opt(f.with) + (f.mta && f.mta != f.with ? "<br><span class=\"muted\">" + h(*f.mta) + "</span>" : "") +
               "</td></tr>";
        std::string why;
        for (const auto& e : hop.evidence) why += (why.empty() ? "" : "; ") + e;
        for (const auto& a : hop.anomalies) why += (why.empty() ? "" : "; ") + a.kind + ": " + a.detail;
        if (!why.empty()) out += "<tr class=\"why\"><td></td><td colspan=\"9\">" + h(why) + "</td></tr>";
    }
    return out + "</tbody></table></div>\n";
}

std::string security_html(const Trace& t) {
    SecurityReport sec = decode_security(t.signals);
    if (sec.empty()) return {};
    std::string out = "<h2>Security headers</h2><div class=\"table\"><table><tbody>";
    auto row = [&](const std::string& a, const std::string& b, const std::string& c) {
        out += "<tr><td>" + a + "</td><td class=\"mono\">" + b + "</td><td>" + c + "</td></tr>";
    };
    for (const auto& a : sec.authentication) {
        std::string who(a.authserv_id.value_or("(no authserv-id: Microsoft)"));
        if (a.arc_instance) who += " ARC i=" + std::to_string(*a.arc_instance);
        for (const auto& line : a.summary)
            row("Authentication", h(line), "<span class=\"muted\">" + h(who) + "</span>");
    }
    if (sec.scl) row("SCL", std::to_string(*sec.scl), "spam confidence level (X-MS-Exchange-Organization-SCL)");
    if (sec.bcl) row("BCL", std::to_string(*sec.bcl), "bulk complaint level (X-Microsoft-Antispam)");
    for (const auto& f : sec.exchange_auth)
        row(h(f.key.substr(f.key.rfind('-') + 1)), h(f.value),
            f.meaning.empty() ? "<span class=\"muted\">(value not in our table)</span>" : h(f.meaning));
    for (const auto& f : sec.forefront)
        row(h(f.key), h(f.value),
            f.meaning.empty() ? std::string("<span class=\"muted\">") +
                                    (f.known_key ? "(value not in our table)" : "(unknown field)") + "</span>"
                              : h(f.meaning));
    for (const auto& f : sec.mailbox_delivery)
        row(h(f.key), h(f.value),
            (f.meaning.empty() ? std::string("<span class=\"muted\">(unknown field)</span>") : h(f.meaning)) +
                " <span class=\"muted\">[Mailbox-Delivery]</span>");
    return out + "</tbody></table></div>\n";
}

std::string anomalies_html(const Trace& t) {
    bool any = !t.anomalies.empty();
    for (const auto& hop : t.hops) any = any || !hop.anomalies.empty();
    if (!any) return {};
    std::string out = "<h2>Anomalies</h2><ul>";
    for (const auto& a : t.anomalies) out += "<li><strong>" + h(a.kind) + "</strong>: " + h(a.detail) + "</li>";
    for (const auto& hop : t.hops)
        for (const auto& a : hop.anomalies)
            out += "<li>hop " + std::to_string(hop.index) + " <strong>" + h(a.kind) + "</strong>: " + h(a.detail) +
                   "</li>";
    return out + "</ul>\n";
}

std::string x_received_html(const Trace& t) {
    if (t.x_received.empty()) return {};
    std::string out = "<h2>Beside the chain: " + std::to_string(t.x_received.size()) +
                      " X-Received-style stamps</h2><div class=\"table\"><table><thead><tr><th>Field</th><th>Time "
                      "(UTC)</th><th>By</th><th>With</th><th>TLS</th></tr></thead><tbody>";
    int n = 0;
    for (const auto& x : t.x_received) {
        const auto& f = x.fields;
        out += "<tr><td>" + h(x.header) + "</td><td class=\"num\">" + time_html(f.time, "x" + std::to_string(++n)) +
               "</td><td class=\"host\">" + receiver_html(f.by) + "</td><td>" + opt(f.with) + "</td><td>" +
               tls_html(f) + "</td></tr>";
    }
    return out + "</tbody></table></div>\n";
}

// The chain's sections, with ids under `id` so a returned message's do not clash.
std::string chain_sections(const Trace& t, const std::string& id) {
    std::string out = summary_html(t, id);
    out += "<h2>Hops</h2>\n" + hop_table(t, id);
    if (!t.hops.empty()) out += "<h2>Delay per hop</h2>\n" + timeline_svg(t) + "\n";
    out += security_html(t);
    out += anomalies_html(t);
    out += x_received_html(t);
    return out;
}

}  // namespace

std::string render_html_sections(const Trace& t, const HtmlOptions& o) {
    std::string out = verdict_banner(t);
    if (t.bounce && !t.bounce->original.empty()) {
        const Bounce& b = *t.bounce;
        const Trace& original = b.original.front();
        out += "<h2>The returned message";
        if (!b.report.original_kind.empty()) out += " <span class=\"muted\">(" + h(b.report.original_kind) + ")</span>";
        out += "</h2>\n";
        if (original.relay) out += "<p><strong>" + h(verdict_line(*original.relay)) + "</strong></p>\n";
        out += chain_sections(original, "orig");
        if (!original.hops.empty())
            out += "<p class=\"muted\">It stopped after hop #" + std::to_string(original.hops.back().index) + " (" +
                   h(original.hops.back().fields.by.host.value_or("?")) + "); the report came from " +
                   h(b.report.reporting_mta.value_or("?")) + ".</p>\n";
        out += "<h2>The bounce itself</h2>\n";
    }
    out += chain_sections(t, "msg");
    for (std::size_t i = 0; i < t.attachments.size(); ++i)
        out += "<h2>Attached message " + std::to_string(i + 1) +
               " <span class=\"muted\">(its own chain)</span></h2>\n" +
               chain_sections(t.attachments[i], "att" + std::to_string(i + 1));
    if (t.relay && !t.bounce) {
        out += "<h2>Why this verdict</h2><ul>";
        for (const auto& e : t.relay->evidence) out += "<li>" + h(e) + "</li>";
        out += "</ul>\n";
    }
    if (t.far_end) {
        out += "<h2>After the relay: the far end</h2><p id=\"far-end\">" + h(far_end_line(*t.far_end)) + "</p><ul>";
        for (const auto& f : t.far_end->findings) {
            out += "<li><strong>" + h(f.severity) + "</strong>: " + h(f.message);
            if (!f.hint.empty()) out += "<br><span class=\"muted\">fix:</span> " + h(f.hint);
            out += "<br><span class=\"muted\">source: " + h(f.source) + "</span></li>";
        }
        out += "</ul>\n";
    }
    if (!o.raw_headers.empty())
        out += "<details><summary>Raw headers</summary><pre>" + h(o.raw_headers) + "</pre></details>\n";
    out += "<script type=\"application/json\" id=\"report-json\">" + json_for_script(trace_to_json(t, false)) +
           "</script>\n";
    return out;
}

std::string render_html(const Trace& t, const HtmlOptions& o) {
    std::string title = "hopscope: " + (t.subject ? *t.subject : std::string("(no subject)"));
    std::string out = html_page_start(title, html_style(), html_script(), false);
    out += "<h1>" + h(t.subject.value_or("(no subject)")) + "</h1>\n";
    out += render_html_sections(t, o);
    out +=
        "<p class=\"actions noprint\"><a class=\"button\" id=\"download-json\" download=\"trace.json\" hidden>Download "
        "JSON</a></p>\n";
    out += "<footer>hopscope report";
    if (!o.source.empty()) out += " of " + h(o.source);
    out +=
        ". Times are UTC; the reader's own zone is shown beside them when scripts run. Nothing on this page makes a "
        "request.</footer>\n";
    out += html_page_end(html_script());
    return out;
}

}  // namespace hopscope
// NOLINTEND(modernize-raw-string-literal)
