#include "classify/message_analysis.hh"

#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/far_end.hh"
#include "classify/hop_classifier.hh"
#include "classify/item_class.hh"
#include "input/attached_messages.hh"
#include "input/mail_or_not.hh"
#include "input/outlook_msg.hh"
#include "input/paste_normaliser.hh"

namespace hopscope {
namespace {

// A report whose headers name no recipient: its prose, which Outlook keeps
// in PR_BODY, may (Exchange's "Delivery has failed to these recipients or
// groups"). What the prose says replaces what the headers said only when it
// names a recipient.
void read_report_prose(Trace& trace, std::string_view body, const RuleSet& rules) {
    const Bounce* read = trace.bounce ? &*trace.bounce : trace.notification ? &*trace.notification : nullptr;
    if (body.empty() || (read != nullptr && !read->report.recipients.empty())) return;
    auto bounce = std::move(trace.bounce);
    auto notification = std::move(trace.notification);
    std::string text = "Content-Type: text/plain; charset=utf-8\n\n";
    text.reserve(text.size() + body.size());
    for (char c : body)
        if (c != '\r') text.push_back(c);  // MAPI keeps CRLF; the prose readers read lines
    analyse_bounce(trace, text, rules);
    const Bounce* prose = trace.bounce ? &*trace.bounce : trace.notification ? &*trace.notification : nullptr;
    if (prose == nullptr || prose->report.recipients.empty()) {  // the prose said no more: keep what the headers said
        trace.bounce = std::move(bounce);
        trace.notification = std::move(notification);
    }
}

Result<Trace> trace_of_outlook(const OutlookMessage& m, const RuleSet& rules, std::string* header_text,
                               std::string* not_mail = nullptr) {
    const bool headers = m.transport_headers && m.transport_headers->find_first_not_of(" \t\r\n") != std::string::npos;
    if (!headers && not_mail != nullptr) *not_mail = item_class_words(m.message_class);
    if (!headers)
        return make_error("no transport headers: this message was not received over SMTP" +
                          (m.message_class ? " (" + *m.message_class + ")" : std::string()));
    if (header_text != nullptr) *header_text = *m.transport_headers;
    auto trace = build_trace(std::string_view(*m.transport_headers));
    if (!trace) return make_error("its transport headers " + trace.error().message);
    classify(*trace, rules);
    trace->far_end = assess_far_end(*trace);
    analyse_bounce(*trace, *m.transport_headers, rules);
    if (m.report_body) read_report_prose(*trace, *m.report_body, rules);
    trace->input_kind = "outlook-msg";
    // What the headers lack, MAPI may say: marked, so no one takes it for a header.
    if (!trace->subject && m.subject) {
        trace->subject = m.subject;
        trace->from_mapi.emplace_back("subject");
    }
    if (!trace->from && m.sender) {
        trace->from = m.sender;
        trace->from_mapi.emplace_back("from");
    }
    if (!trace->created && m.sent) {
        trace->created = m.sent;
        trace->from_mapi.emplace_back("created");
    }
    // Attached messages with headers of their own: their own chains, never this one's.
    for (const auto& a : m.attachments)
        if (auto t = trace_of_outlook(a, rules, nullptr)) trace->attachments.push_back(std::move(*t));
    return trace;
}

// A message attached as message/rfc822, traced on its own, with the
// messages attached to it in turn.
// Skipped (as an Outlook attachment without transport headers is) when it
// holds no header field.
void add_attached(const AttachedMessage& m, const RuleSet& rules, std::vector<Trace>& out) {
    auto trace = build_trace(std::string_view(m.headers));
    if (!trace) return;
    classify(*trace, rules);
    analyse_bounce(*trace, m.headers, rules);
    trace->input_kind = "attached-message";
    for (const auto& a : m.attached) add_attached(a, rules, trace->attachments);
    out.push_back(std::move(*trace));
}

}  // namespace

Result<Trace> analyse_message(std::string_view bytes, const RuleSet& rules, std::string* header_text,
                              std::string* not_mail, const DashLines* dashes, std::string_view report_body) {
    if (header_text != nullptr) header_text->clear();
    auto no_mail = [&](std::string what) {
        if (not_mail != nullptr) *not_mail = std::move(what);
    };
    if (is_compound_file(bytes)) {
        auto msg = read_outlook_msg(bytes);
        if (!msg) return msg.error();
        return trace_of_outlook(*msg, rules, header_text, not_mail);
    }
    if (auto format = non_mail_format(bytes)) {
        no_mail("not an e-mail message (" + std::string(*format) + ")");
        return make_error("not an e-mail message (" + std::string(*format) + ")");
    }
    // A paste whose lines a copy changed is read as it was written.
    std::optional<RepairedPaste> repaired = repair_paste_lines(bytes);
    if (repaired) bytes = repaired->text;
    HeaderBlock block = split_header_block(bytes);
    if (repaired) block.anomalies.insert(block.anomalies.begin(), std::move(repaired->anomaly));
    if (!block.fields.empty() && !has_mail_field(block)) {
        no_mail("not an e-mail message (text whose 'Name: value' lines are no mail header fields)");
        return make_error("not an e-mail message: none of its " + std::to_string(block.fields.size()) +
                          " 'Name: value' line(s) is a mail header field");
    }
    auto trace = build_trace(block);
    if (!trace) {
        // Text with no header field at all (a README, notes): no message.
        // An empty or blank file is a message that lost its content.
        if (block.fields.empty() && bytes.find_first_not_of(" \t\r\n") != std::string_view::npos)
            no_mail("not an e-mail message (text without header fields)");
        return trace;
    }
    classify(*trace, rules);
    trace->far_end = assess_far_end(*trace);
    analyse_bounce(*trace, bytes, rules);
    read_report_prose(*trace, report_body, rules);
    // Messages forwarded as attachments: their own chains, never this one's
    // (a bounce's returned message is the bounce's).
    std::string_view content_type;
    for (const auto& f : block.fields)
        if (iequals(f.name, "Content-Type")) {
            content_type = f.raw;
            break;
        }
    if (!trace->bounce && !trace->report_content_type && block.end_offset < bytes.size() &&
        may_attach_messages(content_type, bytes.substr(block.end_offset), dashes, block.end_offset))
        for (const auto& a : read_attached_messages(bytes)) add_attached(a, rules, trace->attachments);
    return trace;
}

}  // namespace hopscope
