#include "input/bounce_reader.hh"

#include <algorithm>

#include "base/gmime_types.hh"
#include "base/utf8.hh"
#include "input/header_block.hh"
#include "input/status_code.hh"

namespace hopscope {
namespace {

constexpr int kMaxDepth = 8;             // multipart in multipart in ...: a report sits near the top
constexpr int kMaxParts = 256;           // parts looked at, all levels together
constexpr std::size_t kMaxField = 4096;  // a DSN field's value kept (a 1 MB Diagnostic-Code is cut)

// The header block of a returned message, as GMime writes it: the trace
// reads no body, so none is written out again.
std::string headers_of(GMimeObject* object) {
    gm::CString headers(g_mime_object_get_headers(object, nullptr));
    return gm::to_string(headers) + "\n";
}

std::string content_of_part(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return {};
    auto stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(content, stream.get());
    GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
    return array == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(array->data), array->len);
}

// "rfc822; jane@example.com" -> "jane@example.com"; "dns; mx.example.com" -> "mx.example.com".
std::string without_type(std::string value) {
    auto semi = value.find(';');
    if (semi < 16 && value.find(' ') > semi) {  // a short type word first
        value.erase(0, semi + 1);
        value.erase(0, std::min(value.find_first_not_of(" \t"), value.size()));
    }
    if (value.size() > kMaxField) value.resize(kMaxField);
    return make_valid_utf8(std::move(value));
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
            else if (iequals(f.name, "Final-Recipient") || (iequals(f.name, "Original-Recipient") && !r.address))
                r.address = without_type(value), any = true;
            else if (iequals(f.name, "Action"))
                r.action = without_type(value), any = true;
            else if (iequals(f.name, "Status"))
                r.status = without_type(value), any = true;
            else if (iequals(f.name, "Remote-MTA"))
                r.remote_mta = without_type(value), any = true;
            else if (iequals(f.name, "Diagnostic-Code"))
                r.diagnostic = without_type(value), any = true;
        }
        if (any) report.recipients.push_back(std::move(r));
    }
}

struct Walk {
    BounceReport report;
    bool is_report = false;
    int parts = 0;
    std::optional<std::string> first_text;  // the first text/plain part, for the text bounces
};

std::string_view trim_view(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The lines of `text`, without their line ends.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty() && out.size() < 20000) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out.push_back(line);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
}

// What follows a marker line (and the blank line after it): the returned message.
std::optional<std::string> after_marker(std::string_view text, std::string_view marker) {
    auto at = text.find(marker);
    if (at == std::string_view::npos) return std::nullopt;
    auto nl = text.find('\n', at);
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(nl + 1);
    while (!rest.empty() && (rest.front() == '\n' || rest.front() == '\r')) rest.remove_prefix(1);
    if (rest.empty()) return std::nullopt;
    return std::string(rest);
}

// "host mx.example.jp [192.0.2.20]: 550 ..." (Exim) or "remote host 192.0.2.32 said" (qmail).
std::optional<std::string> remote_host_in(std::string_view diagnostic) {
    for (std::string_view key : {"remote host ", "Remote host ", "host "}) {
        auto at = diagnostic.find(key);
        if (at == std::string_view::npos || (at > 0 && diagnostic[at - 1] != ' ' && key == "host ")) continue;
        std::string_view rest = diagnostic.substr(at + key.size());
        auto end = rest.find_first_of(" :[");
        std::string_view host = rest.substr(0, end);
        if (!host.empty() && host != "said") return make_valid_utf8(std::string(host));
    }
    return std::nullopt;
}

// Exim: "This message was created automatically by mail delivery software."
// then each failed address on a line of its own, indented two, and its
// error indented four; the message after "------ This is a copy of ...".
bool read_exim(std::string_view text, BounceReport& report) {
    if (text.find("This message was created automatically by mail delivery software") == std::string_view::npos)
        return false;
    report.kind = "exim";
    auto lines = lines_of(text);
    BounceRecipient* current = nullptr;
    std::string diagnostic;
    auto finish = [&] {
        if (current == nullptr) return;
        if (!diagnostic.empty()) {
            if (diagnostic.size() > kMaxField) diagnostic.resize(kMaxField);
            current->diagnostic = make_valid_utf8(diagnostic);
            if (auto code = find_status_code(diagnostic)) current->status = *code;
            current->remote_mta = remote_host_in(diagnostic);
        }
        current = nullptr;
        diagnostic.clear();
    };
    for (std::string_view line : lines) {
        if (line.starts_with("------ ")) break;
        if (line.starts_with("  ") && !line.starts_with("   ") && line.find('@') != std::string_view::npos &&
            report.recipients.size() < 200) {
            finish();
            BounceRecipient r;
            r.address = make_valid_utf8(std::string(trim_view(line)));
            r.action = "failed";
            report.recipients.push_back(std::move(r));
            current = &report.recipients.back();
        } else if (current != nullptr && line.starts_with("    ")) {
            if (!diagnostic.empty()) diagnostic += ' ';
            diagnostic += trim_view(line);
        } else if (current != nullptr && trim_view(line).empty()) {
            finish();
        }
    }
    finish();
    report.original = after_marker(text, "------ This is a copy of the message");
    if (report.original) report.original_kind = "text";
    return true;
}

// qmail: "Hi. This is the qmail-send program at HOST." then "<address>:"
// and its error lines; the message after "--- Below this line is a copy".
bool read_qmail(std::string_view text, BounceReport& report) {
    auto at = text.find("This is the qmail-send program at ");
    if (at == std::string_view::npos) return false;
    report.kind = "qmail";
    std::string_view host = text.substr(at + 34);
    host = trim_view(host.substr(0, host.find('\n')));  // the rest of the line, less the sentence's dot
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (!host.empty()) report.reporting_mta = make_valid_utf8(std::string(host));
    BounceRecipient* current = nullptr;
    std::string diagnostic;
    auto finish = [&] {
        if (current == nullptr) return;
        if (diagnostic.size() > kMaxField) diagnostic.resize(kMaxField);
        if (!diagnostic.empty()) current->diagnostic = make_valid_utf8(diagnostic);
        if (auto code = find_status_code(diagnostic)) current->status = *code;
        current->remote_mta = remote_host_in(diagnostic);
        current = nullptr;
        diagnostic.clear();
    };
    for (std::string_view line : lines_of(text)) {
        if (line.starts_with("--- ")) break;
        if (line.starts_with("<") && line.ends_with(">:") && report.recipients.size() < 200) {
            finish();
            BounceRecipient r;
            r.address = make_valid_utf8(std::string(line.substr(1, line.size() - 3)));
            r.action = "failed";
            report.recipients.push_back(std::move(r));
            current = &report.recipients.back();
        } else if (current != nullptr && !trim_view(line).empty()) {
            if (!diagnostic.empty()) diagnostic += ' ';
            diagnostic += trim_view(line);
        } else if (current != nullptr) {
            finish();
        }
    }
    finish();
    report.original = after_marker(text, "--- Below this line is a copy of the message");
    if (report.original) report.original_kind = "text";
    return true;
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
    if (!inside_report && !w.first_text && type != nullptr && GMIME_IS_PART(object) &&
        g_mime_content_type_is_type(type, "text", "plain"))
        w.first_text = content_of_part(GMIME_PART(object));
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
            read_delivery_status(content_of_part(GMIME_PART(object)), w.report);
    } else if (g_mime_content_type_is_type(type, "text", "rfc822-headers") && !w.report.original) {
        w.report.original = content_of_part(GMIME_PART(object));
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

std::optional<BounceReport> read_bounce(std::string_view message) {
    gm::ensure_initialised();
    auto stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
    auto parser = gm::Object<GMimeParser>::adopt(g_mime_parser_new_with_stream(stream.get()));
    auto parsed = gm::Object<GMimeMessage>::adopt(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!parsed) return std::nullopt;
    Walk w;
    w.report.kind = "dsn";
    visit(g_mime_message_get_mime_part(parsed.get()), 0, false, w);
    if (w.is_report) return std::move(w.report);
    // The text bounces, by their own words.
    if (w.first_text) {
        BounceReport text;
        if (read_exim(*w.first_text, text) || read_qmail(*w.first_text, text)) return text;
    }
    return std::nullopt;
}

}  // namespace hopscope
