#include "report/html_writer.hh"

#include <array>

#include "base/gmime_types.hh"
#include "base/utf8.hh"
#include "report/display_text.hh"

namespace hopscope {

std::string html_text(std::string_view s) {
    std::string visible = escape_for_terminal(s);  // valid UTF-8, controls and bidi overrides shown
    std::string out;
    out.reserve(visible.size() + visible.size() / 8);
    for (char c : visible) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string html_field_text(std::string_view s) {
    std::string valid = make_valid_utf8(s);
    std::string out;
    out.reserve(valid.size() + valid.size() / 8);
    for (std::size_t i = 0; i < valid.size(); ++i) {
        char c = valid[i];
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\0':
                out += "\xEF\xBF\xBD";  // U+FFFD
                break;
            case '\r':
                if (i + 1 < valid.size() && valid[i + 1] == '\n') break;  // CR LF: the LF follows
                out.push_back('\n');
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string html_text_lines(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    while (!s.empty()) {
        auto nl = s.find('\n');
        std::string_view line = s.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out += html_text(line);
        if (nl == std::string_view::npos) break;
        out.push_back('\n');
        s.remove_prefix(nl + 1);
    }
    return out;
}

std::string html_host(std::string_view s) {
    std::string text = html_text(s);
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    for (char c : text) {
        out.push_back(c);
        if (c == '.' || c == ':') out += "<wbr>";  // escaped text never holds a '.' or ':' inside a reference
    }
    return out;
}

std::string json_for_script(std::string_view json) {
    std::string out;
    out.reserve(json.size() + 64);
    for (std::size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
                   (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
            out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";  // line and paragraph separators
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string csp_hash(std::string_view bytes) {
    gm::Checksum sum(g_checksum_new(G_CHECKSUM_SHA256));
    g_checksum_update(sum.get(), reinterpret_cast<const guchar*>(bytes.data()), static_cast<gssize>(bytes.size()));
    std::array<guint8, 32> digest{};
    gsize length = digest.size();
    g_checksum_get_digest(sum.get(), digest.data(), &length);
    gm::CString b64(g_base64_encode(digest.data(), length));
    return "'sha256-" + gm::to_string(b64) + "'";
}

std::string html_page_start(std::string_view title, std::string_view style, std::string_view script, bool form) {
    std::string csp = "default-src 'none'; style-src " + csp_hash(style) + "; script-src " + csp_hash(script) +
                      "; img-src 'none'; base-uri 'none'; form-action " + (form ? "'self'" : "'none'");
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
        csp + "\">\n<meta name=\"referrer\" content=\"same-origin\">\n<meta name=\"generator\" content=\"hopscope\">\n";
    out += "<title>" + html_text(title) + "</title>\n<style>" + std::string(style) + "</style>\n</head>\n<body>\n";
    return out;
}

std::string html_page_end(std::string_view script) {
    return "<script>" + std::string(script) + "</script>\n</body>\n</html>\n";
}

std::string_view html_style() {
    // Light by default, dark when the reader asks; one column on a phone;
    // no colours lost in print. Roles in the colours of the terminal.
    static constexpr std::string_view kStyle = R"CSS(
:root{--fg:#1d2330;--muted:#5b6475;--bg:#fff;--panel:#f5f7fa;--line:#dde2ea;--ok:#1b7f3b;--warn:#a15c00;--bad:#b42318;--accent:#2557a7}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a2abbb;--bg:#14171c;--panel:#1d2129;--line:#2e3440;--ok:#5cc97b;--warn:#f0a23a;--bad:#f97066;--accent:#7aa7ff}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.35em;margin:.2em 0 .6em;overflow-wrap:anywhere}
h2{font-size:1.1em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
code,.mono,td.host,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.banner{border-radius:8px;padding:12px 16px;margin:0 0 16px;border:1px solid var(--line);background:var(--panel)}
.banner strong{font-size:1.15em;display:block;margin-bottom:4px}
.banner.ok{border-left:6px solid var(--ok)}.banner.warn{border-left:6px solid var(--warn)}.banner.bad{border-left:6px solid var(--bad)}.banner.neutral{border-left:6px solid var(--muted)}
.banner ul{margin:.4em 0 0;padding-left:1.2em;color:var(--muted)}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.summary dt{color:var(--muted)}dl.summary dd{margin:0;overflow-wrap:anywhere}
.table{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
td.host{overflow-wrap:break-word;min-width:8em;max-width:22em}
tr.org td{background:var(--panel);font-weight:600}
tr.org td span{font-weight:400;color:var(--muted)}
tr.why td{color:var(--muted);font-size:.88em;border-bottom:1px solid var(--line);padding-top:0}
tr.skew td{color:var(--bad)}
.role{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;white-space:nowrap;border:1px solid currentColor}
.r-origin-device{color:#6b5ca5}.r-local-relay{color:#1f7a8c}.r-sender-infrastructure{color:#4a6fa5}.r-security-gateway{color:#9a5b13}
.r-eop{color:#2557a7}.r-exchange-online{color:#0f6cbd}.r-mailing-list{color:#7c4d9e}.r-external-delivery{color:#2f7d32}.r-unknown{color:var(--muted)}
.local{display:none}.tz .local{display:table-cell}.tz span.local{display:inline}
svg.timeline{width:100%;height:auto;display:block;max-width:1100px}
svg.timeline text{font:14px system-ui,sans-serif;fill:var(--fg)}
svg.timeline .bar{fill:var(--accent)}svg.timeline .skewbar{fill:var(--bad)}svg.timeline .okbar{fill:var(--ok)}svg.timeline .nabar{fill:var(--muted)}svg.timeline .skewtext{fill:var(--bad)}svg.timeline .grid{stroke:var(--line)}
.muted{color:var(--muted)}
details{margin-top:1em}details pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);padding:10px;border-radius:6px}
.actions{margin:16px 0}.actions a,.actions button{color:var(--accent)}
a.button,button{display:inline-block;border:1px solid var(--accent);border-radius:6px;padding:4px 10px;background:none;color:var(--accent);text-decoration:none;font:inherit;cursor:pointer}
input[type=text]{width:100%;max-width:32em;font:inherit;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:4px 8px}
fieldset{border:1px solid var(--line);border-radius:6px;margin:12px 0}ol.index li{margin:3px 0}
textarea{width:100%;min-height:14em;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:8px}
.meter{display:flex;height:14px;border-radius:7px;overflow:hidden;background:var(--line);margin:6px 0}
.meter .ok{background:var(--ok)}.meter .bad{background:var(--bad)}
footer{margin-top:2em;color:var(--muted);font-size:.85em}
[hidden]{display:none!important}
table.sec td.mono{overflow-wrap:anywhere;max-width:24em}table.sec tr.head th{background:var(--panel);font-weight:600;white-space:normal}
table.sec .about{font-weight:400;color:var(--muted);font-size:.9em}a.src{font-size:.85em;color:var(--accent)}
pre.cmd{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);padding:8px;border-radius:6px}
@media (max-width:640px){body{padding:10px;font-size:14px;overflow-wrap:anywhere}dl.summary{grid-template-columns:1fr}dl.summary dt{margin-top:6px}
table.hops thead{display:none}table.hops,table.hops tbody,table.hops tr,table.hops td{display:block;width:auto}
table.hops tr.hop{border-top:1px solid var(--line);padding:6px 0}table.hops td{border:0;padding:1px 6px;text-align:left;white-space:normal;max-width:none}
table.hops td[data-label]::before{content:attr(data-label) "  ";color:var(--muted);font-family:system-ui,sans-serif}
table.hops tr.why td:first-child{display:none}.tz table.hops td.local{display:block}
table.sec,table.sec tbody,table.sec tr,table.sec td{display:block}table.sec td{border:0;padding:1px 6px}table.sec tr{border-top:1px solid var(--line);padding:4px 0}}
@media print{body{max-width:none}.actions,.noprint{display:none}.table{overflow:visible}}
)CSS";
    return kStyle;
}

std::string_view html_script() {
    // Only textContent and attributes set from the page's own data: no
    // innerHTML, no eval, no request. The page reads the same without it.
    static constexpr std::string_view kScript = R"JS(
(function(){
document.documentElement.className+=' js';
var times=document.querySelectorAll('time[datetime]');var differs=false;
for(var i=0;i<times.length;i++){var t=times[i];var d=new Date(t.getAttribute('datetime'));
if(!isNaN(d.getTime())&&d.getTimezoneOffset()!==0){differs=true;}
var target=t.getAttribute('data-local');var cell=target?document.getElementById(target):null;
if(cell&&!isNaN(d.getTime())){cell.textContent=d.toLocaleString(undefined,{month:'short',day:'numeric',hour:'2-digit',minute:'2-digit',second:'2-digit'});}}
if(differs){document.documentElement.className+=' tz';}
var name='local';try{name=Intl.DateTimeFormat().resolvedOptions().timeZone||'local';}catch(e){}
var zones=document.querySelectorAll('.local-zone');for(var j=0;j<zones.length;j++){zones[j].textContent=name;}
var data=document.getElementById('report-json'),link=document.getElementById('download-json');
if(data&&link){link.href=URL.createObjectURL(new Blob([data.textContent],{type:'application/json'}));link.hidden=false;}
})();
)JS";
    return kScript;
}

}  // namespace hopscope
