// The trace as a page people look at: a verdict banner, the summary, the hop
// table with roles in colour and the evidence under each hop, a delay
// timeline drawn in SVG, the security headers, anomalies, X-Received stamps,
// a returned message's own chain, the raw headers folded away, and the JSON
// for download. One self-contained file: inline CSS, one small script (the
// reader's local time, the download link) that the page does not need, no
// request of any kind. Every header-derived byte goes through html_text().
#pragma once

#include <string>
#include <string_view>

#include "chain/trace.hh"
#include "report/display_zone.hh"

namespace hopscope {

struct HtmlOptions {
    std::string_view source;            // what was analysed (a file name), shown in the footer
    std::string_view raw_headers;       // the header block as read, for the folded raw view
    const DisplayZone* zone = nullptr;  // the zone of the times shown (--tz); none: UTC
    bool security = true;               // the decoded security headers (--no-security: left out)
};

// The report's sections, without <html>/<head>: for a page of one's own
// (serve puts them under its paste form).
std::string render_html_sections(const Trace& t, const HtmlOptions& o);

// The whole page.
std::string render_html(const Trace& t, const HtmlOptions& o);

}  // namespace hopscope
