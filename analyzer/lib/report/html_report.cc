#include "report/html_report.hh"

#include <algorithm>
#include <cctype>

#include "classify/bounce_analysis.hh"
#include "classify/organisation.hh"
#include "parse/date_parser.hh"
#include "parse/security_headers.hh"
#include "parse/tls_version.hh"
#include "report/display_text.hh"
#include "report/html_writer.hh"
#include "report/message_trace.hh"
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

// "mail.example.com (helo mx1) rdns [192.0.2.1]", each part escaped, names
// breaking between their labels; a client that said HELO with an address
// literal and has no reverse name: "172.20.145.6 HELO [172.27.15.30]".
std::string sender_html(const SenderSide& f) {
    std::string out;
    if (f.host && f.host->starts_with('[') && f.ip && !f.rdns) {
        out = html_host(*f.ip);
        if (*f.host != "[" + *f.ip + "]") out += " <span class=\"muted\">HELO</span> " + html_host(*f.host);
        return out;
    }
    // The receiver found no reverse name: the name is only the HELO.
    if (helo_only_claim(f) && f.helo)
        return "unknown <span class=\"muted\">helo</span> " + html_host(*f.helo) + " [" + html_host(*f.ip) + "]";
    if (f.host) out += html_host(host_for_display(*f.host));
    if (f.helo && f.helo != f.host)
        out += (out.empty() ? "" : " ") + std::string("<span class=\"muted\">helo</span> ") + html_host(*f.helo);
    if (f.rdns && f.rdns != f.host)
        out += (out.empty() ? "" : " ") + std::string("<span class=\"muted\">rdns</span> ") + html_host(*f.rdns);
    if (f.ip && !(f.host && f.host->find(*f.ip) != std::string::npos))
        out += (out.empty() ? "" : " ") + std::string("[") + html_host(*f.ip) + "]";
    return out.empty() ? "-" : out;
}

std::string receiver_html(const ReceiverSide& b) {
    std::string out = b.host ? html_host(host_for_display(*b.host)) : std::string();
    if (b.ip) out += (out.empty() ? "" : " ") + std::string("[") + html_host(*b.ip) + "]";
    return out.empty() ? "-" : out;
}

std::string tls_html(const ReceivedFields& f) {
    if (!f.tls) return "-";
    // The cipher is long: in the cell's tooltip, not its width.
    std::string version = !f.tls->version || *f.tls->version == "unknown" ? "TLS" : "TLS " + *f.tls->version;
    return "<span title=\"" + h(f.tls->cipher.value_or("")) + "\">" + h(version) + "</span>";
}

std::string role_html(std::string_view role) {
    return "<span class=\"role r-" + h(role) + "\">" + h(role) + "</span>";
}

// <time> in UTC (or in --tz's zone when one is given), with the reader's
// zone filled in by the script into `local_id`.
std::string time_html(const std::optional<UnixTime>& t, const std::string& local_id, const DisplayZone* zone) {
    if (!t) return "?";
    std::string iso = format_utc(*t);
    std::string shown = iso;
    std::replace(shown.begin(), shown.end(), 'T', ' ');
    if (!shown.empty() && shown.back() == 'Z') shown.pop_back();
    if (zone != nullptr) shown = zone->format(*t);
    return "<time datetime=\"" + h(iso) + "\" data-local=\"" + local_id + "\">" + h(shown) + "</time>";
}

std::string zone_label(const DisplayZone* zone) {
    return zone == nullptr ? std::string("UTC") : zone->label();
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
        if (!hop.delay_s && has_skew(hop)) {
            out += "<text class=\"skewtext\" x=\"" + std::to_string(zero + 6) + "\" y=\"" + std::to_string(y + 15) +
                   "\">clock off: no delay (see the anomalies)</text>";
        } else if (hop.delay_s) {
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
        for (const auto& r : b.report.recipients) {
            if (r.diagnostic) evidence.push_back(recipient_words(r) + ": " + *r.diagnostic);
            if (r.last_attempt_server)
                evidence.push_back("Last attempt at " + *r.last_attempt_server + ": '" +
                                   r.last_attempt_result.value_or("") + "'");
            if (auto when = attempt_words(r, b.report.arrival_date); !when.empty())
                evidence.push_back(recipient_words(r) + ": " + when);
        }
    } else if (t.notification) {
        const Bounce& n = *t.notification;
        cls = is_success_action(n.action.value_or("")) ? "ok" : "warn";
        title = notification_headline(n);
        if (n.explanation && title.find(*n.explanation) == std::string::npos) evidence.push_back(*n.explanation);
        if (n.hint) evidence.push_back("Check: " + *n.hint);
        for (const auto& r : n.report.recipients) {
            evidence.push_back(recipient_words(r) + ": " + std::string(recipient_outcome(r)) +
                               (r.status ? " (" + *r.status + ")" : "") + (r.remote_mta ? " at " + *r.remote_mta : "") +
                               (r.diagnostic ? ": " + *r.diagnostic : ""));
            if (auto when = attempt_words(r, n.report.arrival_date); !when.empty())
                evidence.push_back(recipient_words(r) + ": " + when);
        }
        if (!n.original.empty() && n.original.front().relay)
            evidence.push_back("The returned message: " + verdict_line(*n.original.front().relay));
    } else if (t.relay) {
        const RelayVerdict& v = *t.relay;
        bool modern_tls = v.tls_version && tls_at_least(*v.tls_version, "1.2");
        cls = v.state == "traversed" ? (modern_tls ? "ok" : "warn") : v.state == "not-traversed" ? "bad" : "neutral";
        title = verdict_line(v);
        evidence = v.evidence;
        if (v.connector) {
            if (v.connector->name || v.connector->tie)
                evidence.push_back(
                    "Connector: " + *connector_label(*v.connector) +
                    (v.connector->matched_by ? " (matched by " + *v.connector->matched_by + ")" : "") +
                    (v.connector->tie ? ": each matches; which one Exchange Online uses is not documented" : ""));
            if (!v.connector->tie)
                for (const auto& o : v.connector->not_ruled_out)
                    evidence.push_back("Connector: " + o + " is not ruled out by the configuration given");
            for (const auto& e : v.connector->evidence) evidence.push_back("Connector: " + e);
        }
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

std::string summary_html(const Trace& t, const std::string& id, const DisplayZone* zone) {
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
    if (auto author = author_address(t))
        item("From", opt(t.from) + mapi("from") + " (written by " + h(*author) + "; the list rewrote From)");
    else
        item("From", opt(t.from) + mapi("from"));
    item("To", opt(t.to));
    item("Message-ID", "<span class=\"mono\">" + opt(t.message_id) + "</span>");
    item("Created", t.created
                        ? time_html(t.created, id + "-created", zone) + (zone == nullptr ? " UTC" : "") +
                              (t.created_certain ? "" : " (uncertain: see the anomalies)") +
                              " <span class=\"local\" id=\"" + id + "-created\"></span>"
                        : (t.created_text ? "unreadable: " + h(*t.created_text) : std::string("- (no Date header)")));
    item(t.undelivered ? "Travelled" : "Delivered", h(delivered_text(t)));
    if (!t.hops.empty()) item("Origin", sender_html(report_origin(t)) + h(origin_note(t)));
    return out + "</dl>\n";
}

// The hops under their organisation rows (which name the organisation, so
// no Org column repeats it). Each cell carries its column's name, shown
// before it when a phone's width stacks the cells.
std::string hop_table(const Trace& t, const std::string& id, const DisplayZone* zone) {
    if (t.hops.empty()) return "<p>No Received fields: nothing to trace.</p>\n";
    const std::string time_label = "Time (" + zone_label(zone) + ")";
    std::string out = "<div class=\"table\"><table class=\"hops\" id=\"" + id +
                      "-hops\"><thead><tr><th class=\"num\">#</th><th>" + h(time_label) +
                      "</th><th class=\"local\">Your time (<span "
                      "class=\"local-zone\">local</span>)</th><th "
                      "class=\"num\">Delay</th><th>Role</th><th>From</th><th>By</th><th>TLS</th>"
                      "<th>With</th></tr></thead><tbody>";
    std::size_t segment = 0;
    for (const auto& hop : t.hops) {
        if (segment < t.orgs.size() && t.orgs[segment].first_hop == hop.index) {
            const OrgSegment& o = t.orgs[segment++];
            out += "<tr class=\"org\"><td colspan=\"9\">" + opt(o.org, "(no name)") + " <span>— " +
                   h(segment_story(t, o)) + "</span></td></tr>";
        }
        const auto& f = hop.fields;
        std::string local = id + "-t" + std::to_string(hop.index);
        std::string delay = hop.delay_s ? h(format_duration(*hop.delay_s)) : (has_skew(hop) ? "skew" : "-");
        out += std::string("<tr class=\"hop") + (has_skew(hop) ? " skew" : "") + "\"><td class=\"num\">" +
               std::to_string(hop.index) + "</td><td class=\"num\" data-label=\"" + h(time_label) + "\">" +
               time_html(f.time, local, zone) + "</td><td class=\"num local\" id=\"" + local +
               "\" data-label=\"Your time\"></td><td class=\"num\" data-label=\"Delay\">" + delay +
               "</td><td data-label=\"Role\">" + role_html(hop.role) + "</td><td class=\"host\" data-label=\"From\">" +
               sender_html(f.from) + "</td><td class=\"host\" data-label=\"By\">" + receiver_html(f.by) +
               "</td><td data-label=\"TLS\">" + tls_html(f) + "</td><td data-label=\"With\">" + opt(f.with) +
               (f.via ? " <span class=\"muted\">via</span> " + h(*f.via) : "") +
               (f.mta && f.mta != f.with ? "<br><span class=\"muted\">" + h(*f.mta) + "</span>" : "") + "</td></tr>";
        std::string why;
        for (const auto& e : hop.evidence) why += (why.empty() ? "" : "; ") + e;
        for (const auto& a : hop.anomalies) why += (why.empty() ? "" : "; ") + a.kind + ": " + a.detail;
        if (!why.empty()) out += "<tr class=\"why\"><td></td><td colspan=\"8\">" + h(why) + "</td></tr>";
    }
    return out + "</tbody></table></div>\n";
}

// A link to where a meaning comes from: text the reader may follow, never
// fetched by the page (the CSP allows no request; the URL is the table's,
// never a header's).
std::string source_link(const MeaningSource* s) {
    if (s == nullptr) return {};
    return " <a class=\"src\" href=\"" + h(s->url) + "\" rel=\"noreferrer\" title=\"" + h(s->title) + "\">source</a>";
}

std::string meaning_html(const SecurityField& f) {
    const FieldMeaning* row = f.row();
    if (row == nullptr) return "<span class=\"muted\">(not in hopscope's table)</span>";
    std::string out = h(row->text);
    if (f.meaning.enumerated && !f.value_described() && !f.value.empty())
        out += " <span class=\"muted\">(this value is not described)</span>";
    if (row->status != MeaningStatus::documented)
        out += " <span class=\"muted\">(" + std::string(status_name(row->status)) + ")</span>";
    return out + source_link(row->source);
}

std::string value_html(std::string_view v) {
    return v.empty() ? std::string("<span class=\"muted\">(empty)</span>") : h(v);
}

std::string results_html(const AuthenticationResults& a) {
    static const HeaderInfo* info = header_info("Authentication-Results");
    std::string out;
    for (std::size_t i = 0; i < a.results.size(); ++i) {
        const AuthResult& r = a.results[i];
        FieldLookup m = info != nullptr ? result_meaning(*info, a, r) : FieldLookup{};
        SecurityField f{r.method, r.result, m};
        std::string details = auth_details(r);
        std::string meaning = (details.empty() ? std::string() : h(details) + ": ") + meaning_html(f);
        for (const auto& [k, v] : r.properties) {
            if (info == nullptr || (!iequals(k, "reason") && !(iequals(k, "action") && r.method == "dmarc"))) continue;
            FieldLookup p = field_meaning(*info, k, v);
            if (p.value != nullptr)
                meaning += "; " + h(k) + " " + h(v) + ": " + h(p.value->text) + source_link(p.value->source);
        }
        out += "<tr><td>" + h(auth_method_label(r.method)) + "</td><td class=\"mono\">" + value_html(r.result) +
               "</td><td>" + meaning + "</td></tr>";
    }
    return out;
}

std::string group_head(const HeaderInfo& info, std::string_view extra) {
    std::string out = "<tr class=\"head\"><th colspan=\"3\">" + h(info.name);
    if (!extra.empty()) out += " <span class=\"mono\">" + h(extra) + "</span>";
    if (!info.vendor.empty()) out += " <span class=\"muted\">" + h(info.vendor) + "</span>";
    out += "<br><span class=\"about\">" + h(info.about) + source_link(info.source) + "</span></th></tr>";
    return out;
}

std::string security_html(const Trace& t) {
    SecurityReport sec = decode_security(t.signals, SecurityDecode::full, security_context(t));
    auto command = message_trace_command(t, sec);
    std::string out;
    if (!sec.groups.empty() || !sec.arc.sets.empty()) {
        out += "<h2>Security headers</h2><div class=\"table\"><table class=\"sec\"><tbody>";
        const HeaderInfo* seal = header_info("ARC-Seal");
        bool arc_done = false;
        auto arc = [&] {
            if (arc_done || sec.arc.sets.empty() || seal == nullptr) return;
            arc_done = true;
            const ArcSet& newest = *sec.arc.newest();
            std::string what = std::to_string(sec.arc.sets.size()) + (sec.arc.sets.size() == 1 ? " set" : " sets");
            out += "<tr class=\"head\"><th colspan=\"3\">ARC chain <span class=\"muted\">" + h(what) + "</span>";
            if (newest.cv) {
                SecurityField f{"cv", *newest.cv, newest.cv_meaning};
                out += "<br><span class=\"about\">the newest seal (i=" + std::to_string(newest.instance) +
                       (newest.sealed_by ? ", by " + h(*newest.sealed_by) : std::string()) +
                       ") says cv=" + h(*newest.cv) + ": " + meaning_html(f) + "</span>";
            }
            out += "</th></tr>";
            for (const auto& set : sec.arc.sets) {
                std::string who =
                    "i=" + std::to_string(set.instance) +
                    (set.results && set.results->authserv_id ? " " + std::string(*set.results->authserv_id)
                                                             : std::string());
                if (!set.results) {
                    out += "<tr><td>" + h(who) +
                           "</td><td></td><td class=\"muted\">sealed, no ARC-Authentication-Results</td></tr>";
                } else if (set.same_as_group || set.same_as_set) {
                    std::string same =
                        set.same_as_group
                            ? std::string(sec.groups[*set.same_as_group].info->name) +
                                  (sec.groups[*set.same_as_group].auth.authserv_id
                                       ? " (" + std::string(*sec.groups[*set.same_as_group].auth.authserv_id) + ")"
                                       : std::string())
                            : "i=" + std::to_string(*set.same_as_set);
                    out += "<tr><td>" + h(who) + "</td><td></td><td>same results as " + h(same) +
                           (set.extra.empty() ? "" : ", and") + "</td></tr>";
                    AuthenticationResults extra;
                    for (std::size_t i : set.extra) {
                        extra.results.push_back(set.results->results[i]);
                    }
                    out += results_html(extra);
                } else {
                    out += "<tr><td colspan=\"3\">" + h(who) + "</td></tr>" + results_html(*set.results);
                }
            }
        };
        for (const auto& g : sec.groups) {
            if (seal != nullptr && g.info->rank > seal->rank) arc();
            out += group_head(*g.info, g.auth.authserv_id.value_or(std::string_view()));
            if (g.authentication()) {
                out += results_html(g.auth);
                continue;
            }
            for (const auto& f : g.fields)
                out += "<tr><td>" + (f.key == g.info->name ? std::string() : h(f.key)) + "</td><td class=\"mono\">" +
                       value_html(f.value) + "</td><td>" + meaning_html(f) + "</td></tr>";
        }
        arc();
        out += "</tbody></table></div>\n";
    }
    if (!sec.ids.empty() || command) {
        out += outside_microsoft_365(t) ? "<h2>For the Exchange admin</h2>" : "<h2>For the Exchange Online admin</h2>";
        out += "<div class=\"table\"><table class=\"sec\"><tbody>";
        for (const auto* f : {&sec.ids.network_message_id, &sec.ids.tenant_id, &sec.ids.end_to_end_latency})
            if (*f)
                out += "<tr><td>" + h((*f)->key) + "</td><td class=\"mono\">" + value_html((*f)->value) + "</td><td>" +
                       meaning_html(**f) + "</td></tr>";
        out += "</tbody></table></div>\n";
        if (command)
            out +=
                "<p>The message in your tenant's message trace (Exchange Online PowerShell; without dates the "
                "cmdlet searches only the last 48 hours, and trace data is kept 90 days):</p><pre class=\"cmd\">" +
                h(*command) + "</pre>\n";
    }
    return out;
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

std::string x_received_html(const Trace& t, const DisplayZone* zone) {
    if (t.x_received.empty()) return {};
    std::string out = "<h2>Beside the chain: " + std::to_string(t.x_received.size()) +
                      " X-Received-style stamps</h2><div class=\"table\"><table><thead><tr><th>Field</th><th>Time (" +
                      h(zone_label(zone)) + ")</th><th>By</th><th>With</th><th>TLS</th></tr></thead><tbody>";
    int n = 0;
    for (const auto& x : t.x_received) {
        const auto& f = x.fields;
        out += "<tr><td>" + h(x.header) + "</td><td class=\"num\">" +
               time_html(f.time, "x" + std::to_string(++n), zone) + "</td><td class=\"host\">" + receiver_html(f.by) +
               "</td><td>" + opt(f.with) + "</td><td>" + tls_html(f) + "</td></tr>";
    }
    return out + "</tbody></table></div>\n";
}

// The chain's sections, with ids under `id` so a returned message's do not clash.
std::string chain_sections(const Trace& t, const std::string& id, const HtmlOptions& o) {
    std::string out = summary_html(t, id, o.zone);
    out += "<h2>Hops</h2>\n" + hop_table(t, id, o.zone);
    if (!t.hops.empty()) out += "<h2>Delay per hop</h2>\n" + timeline_svg(t) + "\n";
    if (o.security) out += security_html(t);
    out += anomalies_html(t);
    out += x_received_html(t, o.zone);
    return out;
}

}  // namespace

std::string render_html_sections(const Trace& t, const HtmlOptions& o) {
    std::string out = verdict_banner(t);
    const Bounce* report = t.bounce ? &*t.bounce : t.notification ? &*t.notification : nullptr;
    if (report != nullptr && !report->original.empty()) {
        const Bounce& b = *report;
        const Trace& original = b.original.front();
        out += "<h2>The returned message";
        if (!b.report.original_kind.empty()) out += " <span class=\"muted\">(" + h(b.report.original_kind) + ")</span>";
        out += "</h2>\n";
        if (original.relay) out += "<p><strong>" + h(verdict_line(*original.relay)) + "</strong></p>\n";
        out += chain_sections(original, "orig", o);
        if (!original.hops.empty() && t.bounce) {
            std::string stopped = stopped_text(b, original);
            stopped[0] = 'S';
            out += "<p class=\"muted\">" + h(stopped) + ".</p>\n";
        }
        out += t.bounce ? "<h2>The bounce itself</h2>\n" : "<h2>The notification itself</h2>\n";
    }
    out += chain_sections(t, "msg", o);
    for (std::size_t i = 0; i < t.attachments.size(); ++i)
        out += "<h2>Attached message " + std::to_string(i + 1) +
               " <span class=\"muted\">(its own chain)</span></h2>\n" +
               chain_sections(t.attachments[i], "att" + std::to_string(i + 1), o);
    if (t.relay && !t.bounce && !t.notification) {
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
        out += "<details><summary>Raw headers</summary><pre>" + html_text_lines(o.raw_headers) + "</pre></details>\n";
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
    if (!o.source.empty()) {  // the file's name, not where it sits on this machine
        std::string_view name = o.source;
        if (auto slash = name.find_last_of('/'); slash != std::string_view::npos && slash + 1 < name.size())
            name.remove_prefix(slash + 1);
        out += " of " + h(name);
    }
    out += ". Times are " + (o.zone == nullptr ? std::string("UTC") : "in " + h(o.zone->label())) +
           "; the reader's own zone is shown beside them when scripts run. Nothing on this page makes a "
           "request.</footer>\n";
    out += html_page_end(html_script());
    return out;
}

}  // namespace hopscope
// NOLINTEND(modernize-raw-string-literal)
