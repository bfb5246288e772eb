#include "input/bounce_reader.hh"

#include <algorithm>

#include "base/charset_pin.hh"
#include "base/gmime_types.hh"
#include "base/utf8.hh"
#include "input/header_block.hh"
#include "input/mime_tree.hh"
#include "input/status_code.hh"
#include "input/text_bounce.hh"

namespace hopscope {
namespace {

constexpr int kMaxDepth = 8;    // multipart in multipart in ...: a report sits near the top
constexpr int kMaxParts = 256;  // parts looked at, all levels together

// The header block of a returned message, as GMime writes it: the trace
// reads no body, so none is written out again.
std::string headers_of(GMimeObject* object) {
    gm::CString headers(g_mime_object_get_headers(object, nullptr));
    return gm::to_string(headers) + "\n";
}

// A recipient named by an address, not by a local delivery's file or pipe.
bool is_address(const std::optional<std::string>& a) {
    return a && a->find('@') != std::string::npos;
}

// "rfc822; jane@example.com" -> "jane@example.com"; "dns; mx.example.com" -> "mx.example.com".
std::string without_type(std::string value) {
    auto semi = value.find(';');
    if (semi < 16 && value.find(' ') > semi) {  // a short type word first
        value.erase(0, semi + 1);
        value.erase(0, std::min(value.find_first_not_of(" \t"), value.size()));
    }
    return valid_utf8_prefix(value, kMaxBounceField);
}

// The DSN body: blocks of header-style fields separated by blank lines;
// the first is about the message, each later one about a recipient.
void read_delivery_status(std::string_view body, BounceReport& report) {
    std::vector<std::string_view> blocks;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= body.size(); ++i) {
        bool end = i == body.size();
        bool blank = !end && body[i] == '\n' &&
                     (i + 1 == body.size() || body[i + 1] == '\n' ||
                      (body[i + 1] == '\r' && i + 2 < body.size() && body[i + 2] == '\n'));
        if (!end && !blank) continue;
        std::string_view block = body.substr(start, i + (end ? 0 : 1) - start);
        if (block.find_first_not_of(" \t\r\n") != std::string_view::npos) blocks.push_back(block);
        while (i < body.size() && (body[i] == '\n' || body[i] == '\r')) ++i;
        start = i;
        if (blocks.size() > 200) break;  // hostile: a report of thousands of recipients lists the first 200
    }
    for (std::string_view block : blocks) {
        HeaderBlock fields = split_header_block(block);
        BounceRecipient r;
        bool any = false;
        for (const auto& f : fields.fields) {
            std::string value = unfold_collapsed(f.raw);
            if (iequals(f.name, "Reporting-MTA") && !report.reporting_mta)
                report.reporting_mta = without_type(value);
            else if (iequals(f.name, "Arrival-Date") && !report.arrival_date)
                report.arrival_date = without_type(value);
            else if (iequals(f.name, "Final-Recipient") || iequals(f.name, "Original-Recipient")) {
                // Final-Recipient is the one, unless it is no address (a local
                // delivery's file or pipe) and Original-Recipient is one.
                auto address = without_type(value);
                // "RFC822; <u@ci.com>": the address, not its angle brackets.
                if (address.size() > 2 && address.front() == '<' && address.back() == '>')
                    address = address.substr(1, address.size() - 2);
                bool final = iequals(f.name, "Final-Recipient");
                if (!final && is_address(address)) r.original = address;
                if (!r.address || (final ? is_address(address) || !is_address(r.address)
                                         : !is_address(r.address) && is_address(address)))
                    r.address = std::move(address);
                any = true;
            } else if (iequals(f.name, "Action"))
                r.action = without_type(value), any = true;
            else if (iequals(f.name, "Status"))
                r.status = without_type(value), any = true;
            else if (iequals(f.name, "Remote-MTA"))
                r.remote_mta = without_type(value), any = true;
            else if (iequals(f.name, "Last-Attempt-Date") && !value.empty())
                r.last_attempt_date = without_type(value), any = true;
            else if (iequals(f.name, "Will-Retry-Until") && !value.empty())
                r.will_retry_until = without_type(value), any = true;
            else if (iequals(f.name, "Diagnostic-Code")) {
                // "Diagnostic-Code: SMTP; " says nothing: no diagnostic.
                if (auto said = without_type(value); !said.empty()) r.diagnostic = std::move(said);
                any = true;
            }
        }
        // Said only where the sender wrote another address than the one reported.
        auto bare = [](std::string_view a) {
            if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
            return a;
        };
        if (r.original && r.address && iequals(bare(*r.original), bare(*r.address))) r.original.reset();
        if (any) report.recipients.push_back(std::move(r));
    }
}

// Sendmail writes only the first line of a multi-line reply into
// Diagnostic-Code ("552-5.7.0 This message was blocked because its content
// presents a potential"); its transcript beside the report has them all
// ("<<< 552-5.7.0 ...", ..., "<<< 552 5.7.0 ..."). A diagnostic that is
// such a first line takes the reply's other lines from the transcript,
// each without its code, so it reads as the server said it.
void complete_multiline_reply(std::string& diagnostic, std::string_view prose) {
    constexpr std::size_t kMaxLines = 20;
    constexpr std::size_t kMaxBytes = 2048;
    if (diagnostic.size() < 5 || diagnostic[3] != '-' ||
        !std::all_of(diagnostic.begin(), diagnostic.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
        return;
    const std::string_view code = std::string_view(diagnostic).substr(0, 3);
    // The first line as the transcript shows it.
    std::size_t at = 0;
    std::size_t first_end = std::string_view::npos;
    while ((at = prose.find(diagnostic, at)) != std::string_view::npos) {
        std::size_t line = prose.rfind('\n', at);
        line = line == std::string_view::npos ? 0 : line + 1;
        std::string_view before = prose.substr(line, at - line);
        std::size_t end = prose.find('\n', at);
        std::string_view after = prose.substr(
            at + diagnostic.size(), (end == std::string_view::npos ? prose.size() : end) - at - diagnostic.size());
        if (before.find_first_not_of("< \t") == std::string_view::npos && before.find('<') != std::string_view::npos &&
            after.find_first_not_of(" \t\r") == std::string_view::npos) {
            first_end = end;
            break;
        }
        at += diagnostic.size();
    }
    if (first_end == std::string_view::npos) return;
    std::string_view enhanced;  // "5.7.0", repeated on each line
    if (std::size_t sp = diagnostic.find(' ', 4);
        sp != std::string::npos && sp > 4 && diagnostic[4] >= '2' && diagnostic[4] <= '5' && diagnostic[5] == '.')
        enhanced = std::string_view(diagnostic).substr(4, sp - 4);
    std::string joined = std::string(code) + " " + diagnostic.substr(4);
    std::size_t pos = first_end;
    for (std::size_t n = 0; n < kMaxLines && pos != std::string_view::npos && pos + 1 < prose.size(); ++n) {
        std::size_t start = pos + 1;
        std::size_t end = prose.find('\n', start);
        std::string_view line = prose.substr(start, (end == std::string_view::npos ? prose.size() : end) - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        std::size_t t = line.find_first_not_of("< \t");
        if (t == std::string_view::npos || line.find('<') > t) break;
        line.remove_prefix(t);
        if (line.size() < 4 || line.substr(0, 3) != code || (line[3] != '-' && line[3] != ' ')) break;
        const bool last = line[3] == ' ';
        std::string_view text = line.substr(4);
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        if (!enhanced.empty() && text.starts_with(enhanced)) text.remove_prefix(enhanced.size());
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        if (!text.empty()) joined.append(" ").append(text);
        if (last || joined.size() > kMaxBytes) break;
        pos = end;
    }
    diagnostic = std::move(joined);
}

struct Walk {
    BounceReport report;
    bool is_report = false;
    int parts = 0;
    std::optional<std::string> first_text;     // the first text/plain part, in UTF-8, for the prose layouts
    std::optional<std::string> first_message;  // the headers of the first message/rfc822 part outside a report
};

// A text part's content in UTF-8, converted from its charset. Not through
// g_mime_text_part_get_text: a C string, cut at the first NUL, and real NDRs
// carry "=00" in their quoted-printable.
std::string text_of_part(GMimePart* part) {
    std::string bytes = gm::content_bytes(part);
    std::replace(bytes.begin(), bytes.end(), '\0', ' ');
    const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    if (charset != nullptr && !iequals(charset, "utf-8") && !iequals(charset, "us-ascii")) {
        keep_charset_loaded(charset);
        gsize written = 0;
        GError* raw_error = nullptr;
        gm::CString utf8(g_convert_with_fallback(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8",
                                                 g_mime_charset_iconv_name(charset), "?", nullptr, &written,
                                                 &raw_error));
        gm::Error error(raw_error);
        if (utf8 && !error) return std::string(utf8.get(), written);
    }
    return make_valid_utf8(std::move(bytes));
}

void visit(GMimeObject* object, int depth, bool inside_report, Walk& w) {
    if (object == nullptr || depth > kMaxDepth || ++w.parts > kMaxParts) return;
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (GMIME_IS_MULTIPART(object)) {
        const char* report_type = type != nullptr ? g_mime_content_type_get_parameter(type, "report-type") : nullptr;
        bool report = type != nullptr && g_mime_content_type_is_type(type, "multipart", "report") &&
                      report_type != nullptr && iequals(report_type, "delivery-status");
        // The outermost report counts: a bounce of a bounce is read as one bounce.
        if (report && !w.is_report) {
            w.is_report = true;
            inside_report = true;
        }
        auto* multipart = GMIME_MULTIPART(object);
        int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count && w.parts <= kMaxParts; ++i)
            visit(g_mime_multipart_get_part(multipart, i), depth + 1, inside_report, w);
        return;
    }
    if (!w.first_text && type != nullptr && GMIME_IS_PART(object) && g_mime_content_type_is_type(type, "text", "plain"))
        w.first_text = text_of_part(GMIME_PART(object));
    if (!inside_report && !w.first_message && GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* attached = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (attached != nullptr) w.first_message = headers_of(GMIME_OBJECT(attached));
    }
    if (!inside_report || type == nullptr) return;
    if (GMIME_IS_MESSAGE_PART(object)) {
        if (!w.report.original) {
            GMimeMessage* returned = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            if (returned != nullptr) {
                w.report.original = headers_of(GMIME_OBJECT(returned));
                w.report.original_kind = "message/rfc822";
            }
        }
        return;
    }
    if (!GMIME_IS_PART(object)) return;
    if (g_mime_content_type_is_type(type, "message", "delivery-status") ||
        g_mime_content_type_is_type(type, "message", "global-delivery-status")) {
        if (w.report.recipients.empty() && !w.report.reporting_mta)
            read_delivery_status(gm::content_bytes(GMIME_PART(object)), w.report);
    } else if ((g_mime_content_type_is_type(type, "text", "rfc822-headers") ||
                g_mime_content_type_is_type(type, "message", "rfc822-headers")) &&
               !w.report.original) {
        w.report.original = gm::content_bytes(GMIME_PART(object));
        w.report.original_kind = "text/rfc822-headers";
    }
}

}  // namespace

bool may_be_report(std::string_view content_type) {
    // Asked of every message: look only after each '/' (a Content-Type has
    // one or two) for "report", then for the report type.
    for (std::size_t slash = content_type.find('/'); slash != std::string_view::npos;
         slash = content_type.find('/', slash + 1)) {
        if (slash < 9 || !iequals(content_type.substr(slash - 9, 9), "multipart")) continue;
        if (!iequals(content_type.substr(slash + 1, 6), "report")) continue;
        return icontains(content_type.substr(slash + 7), "delivery-status");
    }
    return false;
}

namespace {

std::optional<BounceReport> read_bounce_at(std::string_view message, int depth);

// A report forwarded as text (an admin's "forward as inline"): the header
// block holding "multipart/report" inside the text, read as a message.
std::optional<BounceReport> forwarded_report(std::string_view text, int depth) {
    if (depth >= 2) return std::nullopt;
    std::size_t at = std::string_view::npos;
    for (std::size_t from = 0; at == std::string_view::npos && from < text.size();) {
        auto hit = text.find("ontent-Type: multipart/report", from);
        if (hit == std::string_view::npos) hit = text.find("ontent-type: multipart/report", from);
        if (hit == std::string_view::npos) return std::nullopt;
        if (hit > 0 && (text[hit - 1] == 'C' || text[hit - 1] == 'c') && (hit == 1 || text[hit - 2] == '\n'))
            at = hit - 1;
        from = hit + 1;
    }
    // Back to the start of its header block: after the blank line, the mbox
    // "From " line or the "-----" rule before it.
    std::size_t start = at;
    while (start > 0) {
        std::size_t line_end = start - 1;  // the newline that ends the line before
        std::size_t nl = line_end == 0 ? std::string_view::npos : text.rfind('\n', line_end - 1);
        std::size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
        std::string_view line = text.substr(line_start, line_end - line_start);
        if (line.find_first_not_of(" \t\r") == std::string_view::npos || line.starts_with("From ") ||
            line.starts_with("---"))
            break;
        start = line_start;
    }
    auto inner = read_bounce_at(text.substr(start), depth + 1);
    if (inner) inner->kind = "dsn";
    return inner;
}

std::optional<BounceReport> read_bounce_at(std::string_view message, int depth) {
    auto top = parse_mime_tree(message);
    if (!top) return std::nullopt;
    Walk w;
    w.report.kind = "dsn";
    visit(top.get(), 0, false, w);
    if (w.is_report) {
        // Microsoft's NDRs carry a report and their own prose: the prose adds
        // the generating server and, when nothing is attached, the original's headers.
        if (w.first_text) read_microsoft_ndr(*w.first_text, w.report);
        if (w.first_text)
            for (auto& r : w.report.recipients)
                if (r.diagnostic) complete_multiline_reply(*r.diagnostic, *w.first_text);
        // A report part that names no recipient (cut, or mangled on the way:
        // a rewriting gateway's base64 inside it): the prose beside it may.
        // A recipient the report gives no diagnostic (Exim's report of a
        // local delivery: Status 5.0.0 alone) takes the prose's words for it:
        // the same address, or the only recipient of both.
        if (w.first_text && (w.report.recipients.empty() ||
                             std::ranges::any_of(w.report.recipients, [](const auto& r) { return !r.diagnostic; }))) {
            BounceReport prose;
            if (read_text_bounce(*w.first_text, prose) && !prose.recipients.empty()) {
                if (w.report.recipients.empty()) {
                    w.report.recipients = std::move(prose.recipients);
                    if (!w.report.reporting_mta) w.report.reporting_mta = std::move(prose.reporting_mta);
                } else {
                    const bool one = w.report.recipients.size() == 1 && prose.recipients.size() == 1;
                    for (auto& r : w.report.recipients) {
                        if (r.diagnostic) continue;
                        for (const auto& p : prose.recipients)
                            if (p.diagnostic &&
                                (one || (r.address && p.address &&
                                         (*r.address == *p.address || p.address->ends_with(*r.address))))) {
                                r.diagnostic = p.diagnostic;
                                break;
                            }
                    }
                }
            }
        }
        return std::move(w.report);
    }
    if (!w.first_text) return std::nullopt;
    // A report forwarded inline is read as the report, before its prose could be.
    if (w.first_text->find("multipart/report") != std::string::npos)
        if (auto forwarded = forwarded_report(*w.first_text, depth)) return forwarded;
    BounceReport text;
    if (!read_microsoft_ndr(*w.first_text, text) && !read_text_bounce(*w.first_text, text)) return std::nullopt;
    if (!text.original && w.first_message) {
        text.original = std::move(w.first_message);
        text.original_kind = "message/rfc822";
    }
    return text;
}

// Exim names the recipients that failed in X-Failed-Recipients. Where the
// report names none, they are its recipients; where it names one by what is
// no address (the file or pipe a local delivery wrote to: Final-Recipient
// "rfc822;/mail/spool/...", "save to /var/mail/..."), the next of them not
// named yet is that recipient.
void take_failed_recipients(std::string_view message, BounceReport& report) {
    HeaderBlock head = split_header_block(message);
    std::vector<std::string> listed;
    for (const auto& f : head.fields) {
        if (!iequals(f.name, "X-Failed-Recipients")) continue;
        std::string value = unfold_collapsed(f.raw);
        for (std::size_t at = 0; at <= value.size() && listed.size() < 200;) {
            std::size_t comma = value.find(',', at);
            std::string_view one = std::string_view(value).substr(at, comma == std::string::npos ? comma : comma - at);
            while (!one.empty() && (one.front() == ' ' || one.front() == '<')) one.remove_prefix(1);
            while (!one.empty() && (one.back() == ' ' || one.back() == '>')) one.remove_suffix(1);
            if (one.find('@') != std::string_view::npos && one.find(' ') == std::string_view::npos)
                listed.emplace_back(one);
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
    }
    if (listed.empty()) return;
    auto named = [&](const std::string& a) {
        return std::ranges::any_of(report.recipients, [&](const BounceRecipient& r) { return r.address == a; });
    };
    if (report.recipients.empty()) {
        for (auto& a : listed) {
            BounceRecipient r;
            r.address = std::move(a);
            r.action = "failed";
            report.recipients.push_back(std::move(r));
        }
        return;
    }
    auto next = listed.begin();
    for (auto& r : report.recipients) {
        if (is_address(r.address)) continue;
        while (next != listed.end() && named(*next)) ++next;
        if (next == listed.end()) break;
        r.address = *next++;
    }
}

}  // namespace

std::optional<BounceReport> read_bounce(std::string_view message) {
    auto report = read_bounce_at(message, 0);
    if (report) take_failed_recipients(message, *report);
    return report;
}

}  // namespace hopscope
