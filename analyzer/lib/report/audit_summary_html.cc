// The audit summary as a page: the relay answer's three states (counts, a
// bar, and a bar per day), the audit by sender, delay per role
// (p50/p90/p99/max, with a small chart; implausible delays apart), the
// slowest hops, bounces by status, the messages that bypassed the relay with
// the command that shows each one, failures, skipped items, per-source
// counts. Bounded whatever the mailbox: the same capped lists as the text
// summary.
#include <algorithm>
#include <cmath>

#include "report/audit_summary.hh"
#include "report/html_writer.hh"
#include "report/text_report.hh"

// HTML fragments spliced with escaped values: as raw literals each would be cut in many.
// NOLINTBEGIN(modernize-raw-string-literal)
namespace hopscope {
namespace {

std::string h(std::string_view s) {
    return html_text(s);
}

// Three counts as one bar of 1000 units: traversed, not traversed, not applicable.
std::string state_bar(std::uint64_t t, std::uint64_t n, std::uint64_t a, int x, int y, int width, int height,
                      const std::string& title) {
    const double all = static_cast<double>(t + n + a);
    if (all == 0) return {};
    int wt = static_cast<int>(std::lround(static_cast<double>(t) / all * width));
    int wn = static_cast<int>(std::lround(static_cast<double>(t + n) / all * width)) - wt;
    int wa = width - wt - wn;
    std::string out;
    auto rect = [&](const char* cls, int at, int w) {
        if (w > 0)
            out += "<rect class=\"" + std::string(cls) + "\" x=\"" + std::to_string(at) + "\" y=\"" +
                   std::to_string(y) + "\" width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(height) +
                   "\"><title>" + html_text(title) + "</title></rect>";
    };
    rect("okbar", x, wt);
    rect("skewbar", x + wt, wn);
    rect("nabar", x + wt + wn, wa);
    return out;
}

}  // namespace

std::string AuditSummary::render_html() const {
    const std::string style(html_style());
    const std::string script(html_script());
    std::string out = html_page_start("hopscope audit", style, script, false);
    out += "<h1>Audit of " + std::to_string(messages_) + (messages_ == 1 ? " message" : " messages") + "</h1>\n";
    std::string cls = analysed_ == 0 ? "warn" : not_traversed_ == 0 ? "ok" : "bad";
    std::string headline =
        std::to_string(traversed_) + " traversed the relay, " + std::to_string(not_traversed_) + " did not";
    for (const auto& part : not_applicable_parts()) headline += ", " + part;
    out += "<section class=\"banner " + cls + "\" id=\"verdict\"><strong>" + h(headline) + "</strong>";
    if (analysed_ > 0)
        out +=
            "<svg class=\"timeline\" viewBox=\"0 0 1000 16\" role=\"img\" aria-label=\"traversed, not traversed, "
            "not applicable\">" +
            state_bar(traversed_, not_traversed_, not_applicable_, 0, 0, 1000, 16,
                      std::to_string(traversed_) + " traversed, " + std::to_string(not_traversed_) +
                          " not traversed, " + std::to_string(not_applicable_) + " not applicable") +
            "</svg><p class=\"muted\">Green: traversed; red: not traversed (the organisation's own mail reached "
            "Microsoft 365 another way); grey: not applicable (the relay question does not arise).</p>";
    out += "<ul><li>" + std::to_string(messages_) + " read, " + std::to_string(analysed_) + " analysed, " +
           std::to_string(failed_) + " failed" +
           (skipped_ > 0 ? ", " + std::to_string(skipped_) + " skipped (no e-mail messages)" : std::string()) +
           "</li><li>" + std::to_string(clock_skew_) + " hops with clock skew, " + std::to_string(unparsable_) +
           " unparsable dates</li>";
    if (period_.active())
        out += "<li>Period " + h(period_.since.empty() ? "any time" : period_.since) + " to " +
               h(period_.until.empty() ? "any time" : period_.until) +
               " (by the Date header, else the first stamp): left out " + std::to_string(outside_) +
               " outside it and " + std::to_string(undated_) + " without a date</li>";
    if (!unopened_.empty()) out += "<li>" + std::to_string(unopened_.size()) + " input(s) could not be opened</li>";
    out += "</ul></section>\n";

    // Per day, by the message's time: the latest kDaysShown days that have messages.
    if (!days_.empty()) {
        std::vector<std::pair<std::string, Day>> days(days_.begin(), days_.end());
        std::size_t dropped = days.size() > kDaysShown ? days.size() - kDaysShown : 0;
        days.erase(days.begin(), days.begin() + static_cast<std::ptrdiff_t>(dropped));
        std::uint64_t top = 1;
        for (const auto& [day, n] : days) top = std::max(top, n[0] + n[1] + n[2]);
        const int step = std::max(2, 1000 / static_cast<int>(days.size()));
        const int width = step * static_cast<int>(days.size());
        out += "<h2>Per day</h2>\n<svg class=\"timeline\" viewBox=\"0 0 " + std::to_string(width) +
               " 120\" role=\"img\" aria-label=\"messages per day by relay state\">";
        int x = 0;
        for (const auto& [day, n] : days) {
            const std::uint64_t all = n[0] + n[1] + n[2];
            int height =
                std::max(1, static_cast<int>(std::lround(static_cast<double>(all) / static_cast<double>(top) * 100)));
            // Stacked bottom up: traversed, not traversed, not applicable.
            int y = 110;
            const char* classes[] = {"okbar", "skewbar", "nabar"};
            for (int k = 0; k < 3; ++k) {
                int part = all == 0 ? 0
                                    : static_cast<int>(std::lround(static_cast<double>(n[static_cast<std::size_t>(k)]) /
                                                                   static_cast<double>(all) * height));
                if (part <= 0) continue;
                y -= part;
                out += "<rect class=\"" + std::string(classes[k]) + "\" x=\"" + std::to_string(x) + "\" y=\"" +
                       std::to_string(y) + "\" width=\"" + std::to_string(std::max(1, step - 1)) + "\" height=\"" +
                       std::to_string(part) + "\"><title>" + h(day) + ": " + std::to_string(n[0]) + " traversed, " +
                       std::to_string(n[1]) + " not traversed, " + std::to_string(n[2]) +
                       " not applicable</title></rect>";
            }
            x += step;
        }
        out += "<text x=\"0\" y=\"120\">" + h(days.front().first) + "</text><text x=\"" + std::to_string(width) +
               "\" y=\"120\" text-anchor=\"end\">" + h(days.back().first) + "</text></svg>";
        out +=
            "<p class=\"muted\">Each bar a day with messages (UTC, by the Date header, else the first stamp); "
            "green traversed, red not traversed, grey not applicable." +
            (dropped > 0 ? " " + std::to_string(dropped) + " earlier days not shown (--format json has them)."
                         : std::string()) +
            "</p>\n";
    }

    auto where_html = [&](const Where& w) {
        if (w.offset) return "<span class=\"mono\">" + h(w.path) + "</span> (offset " + std::to_string(*w.offset) + ")";
        return "<span class=\"mono\">" + h(w.path) + "</span> #" + std::to_string(w.index) +
               (w.item ? " (" + h(w.folder.empty() ? std::string() : w.folder + ", ") + "item " +
                             std::to_string(*w.item) + ")"
                       : std::string());
    };

    if (!senders_.empty()) {
        const auto order = senders_in_order();
        out += "<h2 id=\"senders\">Senders (" + std::to_string(order.size()) +
               ")</h2>\n<p class=\"muted\">By origin device (its address, else its name) and From address; most not "
               "traversed first, then most messages.</p>\n<div class=\"table\"><table><thead><tr><th>Origin</th><th>"
               "From</th><th class=\"num\">Messages</th><th class=\"num\">Traversed</th><th class=\"num\">Not "
               "traversed</th><th class=\"num\">Not applicable</th><th class=\"num\">Bounced</th><th>Methods</th>"
               "<th>TLS into Microsoft 365</th><th>Relays</th><th>Microsoft 365 received "
               "from</th><th>Connectors</th><th>Seen</th>"
               "<th>See it with</th></tr></thead><tbody>";
        auto counts = [](const Tally& t) {
            std::string s;
            for (const auto& [n, c] : t.names) s += (s.empty() ? "" : ", ") + n + " " + std::to_string(c);
            if (t.other > 0) s += (s.empty() ? "" : ", ") + std::string("others ") + std::to_string(t.other);
            return s;
        };
        auto names = [](const Tally& t) {
            std::string s;
            for (const auto& [n, c] : t.names) s += (s.empty() ? "" : ", ") + n;
            if (t.other > 0) s += ", …";
            return s;
        };
        for (std::size_t i = 0; i < order.size() && i < kSendersShown; ++i) {
            const Sender& g = *order[i];
            std::string origin(g.origin.empty() ? "(no origin)" : g.origin);
            if (!g.origin_host.empty()) origin += " (" + g.origin_host + ")";
            std::string seen =
                g.first_seen.empty()
                    ? "-"
                    : std::string(g.first_seen.view()) +
                          (g.last_seen.view() != g.first_seen.view() ? " to " + std::string(g.last_seen.view()) : "");
            out += "<tr><td class=\"mono\">" + h(origin) + "</td><td class=\"mono\">" +
                   h(g.from.empty() ? "(no From address)" : g.from) + "</td><td class=\"num\">" +
                   std::to_string(g.messages) + "</td><td class=\"num\">" + std::to_string(g.traversed) +
                   "</td><td class=\"num\">" + std::to_string(g.not_traversed) + "</td><td class=\"num\">" +
                   std::to_string(g.not_applicable) + "</td><td class=\"num\">" + std::to_string(g.bounced) +
                   "</td><td>" + h(counts(g.methods)) + "</td><td>" + h(counts(g.tls)) + "</td><td class=\"mono\">" +
                   h(names(g.relays)) + "</td><td class=\"mono\">" + h(names(g.eop_from)) + "</td><td>" +
                   h(names(g.connectors)) + "</td><td>" + h(seen) + "</td><td><code>" + h(command(g.example.where())) +
                   "</code></td></tr>";
        }
        out += "</tbody></table></div>\n";
        if (order.size() > kSendersShown)
            out += "<p class=\"muted\">... and " + std::to_string(order.size() - kSendersShown) +
                   " more: <code>--format json</code> or <code>--format csv --by sender</code> lists every one.</p>\n";
    }

    // Delay per role: the table and a chart of p50/p90/max on one scale (log: delays span seconds to days).
    out +=
        "<h2>Delay per role (seconds)</h2>\n<div class=\"table\"><table><thead><tr><th>Role</th><th "
        "class=\"num\">Hops</th>"
        "<th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">max</th>"
        "</tr></thead><tbody>";
    struct Line {
        std::string role;
        Percentiles p;
    };
    std::vector<Line> lines;
    for (const auto& role : audit_roles()) {
        auto it = delays_.find(role);
        if (it == delays_.end()) continue;
        lines.push_back({role, percentiles(it->second)});
        const Percentiles& p = lines.back().p;
        out += "<tr><td><span class=\"role r-" + h(role) + "\">" + h(role) + "</span></td><td class=\"num\">" +
               std::to_string(p.hops) + "</td><td class=\"num\">" + std::to_string(p.p50) + "</td><td class=\"num\">" +
               std::to_string(p.p90) + "</td><td class=\"num\">" + std::to_string(p.p99) + "</td><td class=\"num\">" +
               h(format_duration(p.max)) + "</td></tr>";
    }
    out += "</tbody></table></div>\n";
    if (!lines.empty()) {
        std::int64_t top = 1;
        for (const auto& l : lines) top = std::max(top, l.p.max);
        const double scale = std::log10(static_cast<double>(top) + 1);
        auto x = [&](std::int64_t v) {
            return 230 +
                   static_cast<int>(std::log10(static_cast<double>(std::max<std::int64_t>(v, 0)) + 1) / scale * 700);
        };
        int height = static_cast<int>(lines.size()) * 24 + 8;
        out += "<svg class=\"timeline\" viewBox=\"0 0 1100 " + std::to_string(height) +
               "\" role=\"img\" aria-label=\"delay per role, p50 to p90 bar and max, log scale\">";
        int y = 4;
        for (const auto& l : lines) {
            out += "<text x=\"4\" y=\"" + std::to_string(y + 15) + "\">" + h(l.role) + "</text>";
            out += "<rect class=\"bar\" x=\"" + std::to_string(x(l.p.p50)) + "\" y=\"" + std::to_string(y + 5) +
                   "\" width=\"" + std::to_string(std::max(2, x(l.p.p90) - x(l.p.p50))) +
                   "\" height=\"12\" rx=\"2\"><title>p50 " + std::to_string(l.p.p50) + " s to p90 " +
                   std::to_string(l.p.p90) + " s</title></rect>";
            out += "<rect class=\"skewbar\" x=\"" + std::to_string(x(l.p.max)) + "\" y=\"" + std::to_string(y + 3) +
                   "\" width=\"3\" height=\"16\"><title>max " + std::to_string(l.p.max) + " s</title></rect>";
            out += "<text x=\"" + std::to_string(x(l.p.max) + 8) + "\" y=\"" + std::to_string(y + 15) + "\">" +
                   h(format_duration(l.p.max)) + "</text>";
            y += 24;
        }
        out += "</svg><p class=\"muted\">Bar: p50 to p90; red mark: the slowest hop. Log scale.</p>\n";
    }

    if (implausible_ > 0) {
        out += "<h2>Implausible delays (" + std::to_string(implausible_) +
               ")</h2>\n<p class=\"muted\">Left out of the delays above and of the slowest hops.</p>\n<div "
               "class=\"table\"><table><thead><tr><th class=\"num\">Delay</th><th>Role</th><th>Message</th><th "
               "class=\"num\">Hop</th><th>Why</th></tr></thead><tbody>";
        for (const auto& d : implausible_listed_)
            out += "<tr><td class=\"num\">" + h(format_duration(d.delay)) + "</td><td><span class=\"role r-" +
                   h(d.role) + "\">" + h(d.role) + "</span></td><td>" + where_html(d.where) +
                   "</td><td class=\"num\">" + std::to_string(d.hop) + "</td><td>" + h(d.why) + "</td></tr>";
        out += "</tbody></table></div>\n";
    }
    if (!slowest_.empty()) {
        out +=
            "<h2>Slowest hops</h2>\n<div class=\"table\"><table><thead><tr><th "
            "class=\"num\">Delay</th><th>Role</th><th>Message</th>"
            "<th class=\"num\">Hop</th></tr></thead><tbody>";
        for (const auto& s : slowest_)
            out += "<tr><td class=\"num\">" + h(format_duration(s.delay)) + "</td><td><span class=\"role r-" +
                   h(s.role) + "\">" + h(s.role) + "</span></td><td>" + where_html(s.where) +
                   "</td><td class=\"num\">" + std::to_string(s.hop) + "</td></tr>";
        out += "</tbody></table></div>\n";
    }
    if (!bounces_.empty()) {
        const auto by_count = bounces_by_count();
        out +=
            "<h2>Bounces</h2>\n<div class=\"table\"><table><thead><tr><th "
            "class=\"num\">Count</th><th>Status</th><th>Meaning</th>"
            "</tr></thead><tbody>";
        for (const auto& [status, b] : by_count)
            out += "<tr><td class=\"num\">" + std::to_string(b->count) + "</td><td class=\"mono\">" + h(status) +
                   "</td><td>" + h(b->explanation.empty() ? "-" : b->explanation) + "</td></tr>";
        out += "</tbody></table></div>\n";
    }
    if (!notifications_.empty()) {
        out += "<h2>Delivery notifications</h2>\n<p>" + std::to_string(notifications(true)) + " of success, " +
               std::to_string(notifications(false)) +
               " delay warnings (not bounces).</p>\n<div class=\"table\"><table><thead><tr><th "
               "class=\"num\">Count</th><th>Action</th></tr></thead><tbody>";
        for (const auto& [action, n] : notifications_)
            out += "<tr><td class=\"num\">" + std::to_string(n) + "</td><td>" + h(action) + "</td></tr>";
        out += "</tbody></table></div>\n";
    }
    if (not_traversed_ > 0) {
        out += "<h2 id=\"bypassed\">Not through the relay (" + std::to_string(not_traversed_) +
               ")</h2>\n<div "
               "class=\"table\"><table><thead><tr><th>Message</th><th>Message-ID</th><th>See it with</th></tr></thead>"
               "<tbody>";
        for (const auto& b : bypassed_)
            out += "<tr><td>" + where_html(b.where) + "</td><td class=\"mono\">" + h(b.text.value_or("-")) +
                   "</td><td><code>" + h(command(b.where)) + "</code></td></tr>";
        out += "</tbody></table></div>\n";
        if (not_traversed_ > bypassed_.size())
            out += "<p class=\"muted\">... and " + std::to_string(not_traversed_ - bypassed_.size()) +
                   " more: <code>hopscope audit --format csv</code> lists every one.</p>\n";
        out +=
            "<p class=\"muted\">Add the options the audit ran with (<code>--relay</code>, "
            "<code>--connectors</code>) to each command.</p>\n";
    }
    if (!failures_.empty()) {
        out += "<h2>Failed</h2>\n<ul>";
        for (const auto& f : failures_) out += "<li>" + where_html(f.where) + ": " + h(f.text.value_or("?")) + "</li>";
        out += "</ul>\n";
    }
    if (skipped_ > 0) {
        out += "<h2>Skipped: no e-mail messages (" + std::to_string(skipped_) +
               ")</h2>\n<div class=\"table\"><table><thead><tr><th class=\"num\">Items</th><th>What they "
               "are</th></tr></thead><tbody>";
        std::vector<std::pair<std::string, std::uint64_t>> by(skipped_by_.begin(), skipped_by_.end());
        std::stable_sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        for (const auto& [what, n] : by)
            out += "<tr><td class=\"num\">" + std::to_string(n) + "</td><td>" + h(what) + "</td></tr>";
        out += "</tbody></table></div>\n<ul>";
        for (const auto& it : skipped_items_)
            out += "<li>" + where_html(it.where) + ": " + h(it.text.value_or("?")) + "</li>";
        out += "</ul>\n";
        if (skipped_ > skipped_items_.size())
            out += "<p class=\"muted\">... and " + std::to_string(skipped_ - skipped_items_.size()) + " more.</p>\n";
    }
    if (!unopened_.empty()) {
        out += "<h2>Not opened</h2>\n<ul>";
        for (const auto& u : unopened_) out += "<li>" + h(u) + "</li>";
        out += "</ul>\n";
    }
    out +=
        "<h2>Per source</h2>\n<div class=\"table\"><table><thead><tr><th class=\"num\">Messages</th><th "
        "class=\"num\">Failed</th><th class=\"num\">Skipped</th><th>Source</th>"
        "</tr></thead><tbody>";
    std::size_t shown = 0;
    for (const auto& [path, s] : sources_) {
        if (shown++ == kSourcesShown) break;
        out += "<tr><td class=\"num\">" + std::to_string(s.messages) + "</td><td class=\"num\">" +
               std::to_string(s.failed) + "</td><td class=\"num\">" + std::to_string(s.skipped) +
               "</td><td class=\"mono\">" + h(path) + "</td></tr>";
    }
    out += "</tbody></table></div>\n";
    if (sources_.size() > kSourcesShown)
        out += "<p class=\"muted\">... and " + std::to_string(sources_.size() - kSourcesShown) +
               " more: <code>--format json</code> lists every one.</p>\n";
    out += "<script type=\"application/json\" id=\"report-json\">" + json_for_script(render_json()) + "</script>\n";
    out +=
        "<p class=\"actions noprint\"><a class=\"button\" id=\"download-json\" download=\"audit-summary.json\" "
        "hidden>Download JSON</a></p>\n<footer>hopscope audit summary. Nothing on this page makes a "
        "request.</footer>\n";
    out += html_page_end(script);
    return out;
}

}  // namespace hopscope
// NOLINTEND(modernize-raw-string-literal)
