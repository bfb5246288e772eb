// HTML is an output like the terminal: every header byte that reaches a page
// goes through one of these, for the context it lands in. Pure functions.
//
// - html_text: element text, SVG <text>, and double- or single-quoted
//   attribute values. Control characters, DEL and bidi overrides are first
//   made visible as in the terminal (\xNN, \u{NNNN}); then & < > " ' become
//   character references. Nothing else is ever needed: hopscope writes no
//   unquoted attribute, no URL built from a header, no inline event handler,
//   no style built from a header.
// - html_field_text: what a user typed or pasted, put back into the form
//   field it came from (a <textarea>'s content, an <input>'s quoted value),
//   so that submitting again sends the same text: made valid UTF-8, NUL
//   written as U+FFFD, CR LF as LF (as the browser sends it anyway), every
//   other character kept, then & < > " ' become character references.
// - html_text_lines, html_host: html_text of each line of a raw block, and
//   html_text with <wbr> after each '.' and ':' of a host name.
// - json_for_script: JSON text made safe inside <script type="application/
//   json">: every < > & and U+2028/2029 written as \uXXXX, so no "</script>"
//   or "<!--" can close or change the element.
//
// A page also carries a Content-Security-Policy naming the SHA-256 of its
// one <style> and one <script>: even a bug in the escaping could not run a
// script of the headers' making.
#pragma once

#include <string>
#include <string_view>

namespace hopscope {

std::string html_text(std::string_view s);

std::string html_field_text(std::string_view s);
// html_text, line by line: line breaks kept (a CR before one dropped), for
// a <pre> of raw header text that reads and copies as the headers did.
std::string html_text_lines(std::string_view s);

// html_text with a line-break opportunity (<wbr>) after every '.' and ':',
// so a host name or address wraps between its labels, not inside one.
std::string html_host(std::string_view s);

std::string json_for_script(std::string_view json);

// 'sha256-BASE64' of the bytes, for a CSP source list.
std::string csp_hash(std::string_view bytes);

// The page's <head> and opening <body>: charset, viewport, title (escaped
// here), the CSP for `style` and `script` (plus form-action 'self' when the
// page posts a form), and the <style> element.
std::string html_page_start(std::string_view title, std::string_view style, std::string_view script, bool form);

// The <script> element and the closing tags.
std::string html_page_end(std::string_view script);

// The shared stylesheet of hopscope's pages (light and dark, phone and print)
// and the script that adds the reader's local time and the JSON download.
std::string_view html_style();
std::string_view html_script();

}  // namespace hopscope
