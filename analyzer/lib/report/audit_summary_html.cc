// The audit summary as a page: traversed or not (counts and a bar), delay
// per role (p50/p90/p99/max, with a small chart), the slowest hops, bounces
// by status, the messages that bypassed the relay with the command that
// shows each one, failures, per-source counts. Bounded whatever the mailbox:
// the same capped lists as the text summary.
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

// A path as one shell word: single quotes, with any single quote closed, escaped and reopened.
std::string shell_word(std::string_view s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

std::string AuditSummary::render_html() const {
    const std::string style(html_style());
    const std::string script(html_script());
    std::string out = html_page_start("hopscope audit", style, script, false);
    out += "<h1>Audit of " + std::to_string(messages_) + (messages_ == 1 ? " message" : " messages") + "</h1>\n";
    const std::uint64_t not_traversed = analysed_ - traversed_;
    std::string cls = analysed_ == 0 ? "warn" : not_traversed == 0 ? "ok" : "bad";
    out += "<section class=\"banner " + cls + "\" id=\"verdict\"><strong>" + std::to_string(traversed_) +
           " traversed the relay, " + std::to_string(not_traversed) + " did not</strong>";
    if (analysed_ > 0) {
        double share = static_cast<double>(traversed_) / static_cast<double>(analysed_);
        int ok = static_cast<int>(std::lround(share * 1000));
        out +=
            "<svg class=\"timeline\" viewBox=\"0 0 1000 16\" role=\"img\" aria-label=\"traversed share\"><rect "
            "class=\"bar\" x=\"0\" y=\"0\" width=\"" +
            std::to_string(ok) + "\" height=\"16\"/><rect class=\"skewbar\" x=\"" + std::to_string(ok) +
            "\" y=\"0\" width=\"" + std::to_string(1000 - ok) + "\" height=\"16\"/></svg>";
    }
    out += "<ul><li>" + std::to_string(messages_) + " read, " + std::to_string(analysed_) + " analysed, " +
           std::to_string(failed_) + " failed</li><li>" + std::to_string(clock_skew_) + " hops with clock skew, " +
           std::to_string(unparsable_) + " unparsable dates</li>";
    if (!unopened_.empty()) out += "<li>" + std::to_string(unopened_.size()) + " input(s) could not be opened</li>";
    out += "</ul></section>\n";

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
               std::to_string(p.max) + "</td></tr>";
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

    auto where_html = [&](const Where& w) {
        return "<span class=\"mono\">" + h(w.path) + "</span>" +
               (w.offset ? " (offset " + std::to_string(*w.offset) + ")" : " #" + std::to_string(w.index));
    };
    // The command that shows one message: a byte range of its mbox, or the file itself.
    auto command = [&](const Where& w) {
        if (w.pst_item)  // --range counts the items of a PST
            return "hopscope audit --format jsonl --range " + std::to_string(w.index) + ":" +
                   std::to_string(w.index + 1) + " " + shell_word(w.path);
        if (w.offset)
            return "hopscope audit --format jsonl --range " + std::to_string(*w.offset) + ":" +
                   std::to_string(*w.offset + 1) + " " + shell_word(w.path);
        return "hopscope trace " + shell_word(w.path);
    };
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
    if (not_traversed > 0) {
        out += "<h2 id=\"bypassed\">Not through the relay (" + std::to_string(not_traversed) +
               ")</h2>\n<div "
               "class=\"table\"><table><thead><tr><th>Message</th><th>Message-ID</th><th>See it with</th></tr></thead>"
               "<tbody>";
        for (const auto& b : bypassed_)
            out += "<tr><td>" + where_html(b.where) + "</td><td class=\"mono\">" + h(b.text.value_or("-")) +
                   "</td><td><code>" + h(command(b.where)) + "</code></td></tr>";
        out += "</tbody></table></div>\n";
        if (not_traversed > bypassed_.size())
            out += "<p class=\"muted\">... and " + std::to_string(not_traversed - bypassed_.size()) +
                   " more: <code>hopscope audit --format csv</code> lists every one.</p>\n";
    }
    if (!failures_.empty()) {
        out += "<h2>Failed</h2>\n<ul>";
        for (const auto& f : failures_) out += "<li>" + where_html(f.where) + ": " + h(f.text.value_or("?")) + "</li>";
        out += "</ul>\n";
    }
    if (!unopened_.empty()) {
        out += "<h2>Not opened</h2>\n<ul>";
        for (const auto& u : unopened_) out += "<li>" + h(u) + "</li>";
        out += "</ul>\n";
    }
    out +=
        "<h2>Per source</h2>\n<div class=\"table\"><table><thead><tr><th class=\"num\">Messages</th><th "
        "class=\"num\">Failed</th><th>Source</th>"
        "</tr></thead><tbody>";
    for (const auto& [path, s] : sources_)
        out += "<tr><td class=\"num\">" + std::to_string(s.messages) + "</td><td class=\"num\">" +
               std::to_string(s.failed) + "</td><td class=\"mono\">" + h(path) + "</td></tr>";
    out += "</tbody></table></div>\n";
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
