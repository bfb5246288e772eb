#include "classify/message_analysis.hh"

#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/far_end.hh"
#include "classify/hop_classifier.hh"
#include "input/outlook_msg.hh"

namespace hopscope {
namespace {

Result<Trace> trace_of_outlook(const OutlookMessage& m, const RuleSet& rules, std::string* header_text) {
    const bool headers = m.transport_headers && m.transport_headers->find_first_not_of(" \t\r\n") != std::string::npos;
    if (!headers)
        return make_error("no transport headers: this message was not received over SMTP" +
                          (m.message_class ? " (" + *m.message_class + ")" : std::string()));
    if (header_text != nullptr) *header_text = *m.transport_headers;
    auto trace = build_trace(std::string_view(*m.transport_headers));
    if (!trace) return make_error("its transport headers " + trace.error().message);
    classify(*trace, rules);
    trace->far_end = assess_far_end(*trace);
    analyse_bounce(*trace, *m.transport_headers, rules);
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

}  // namespace

Result<Trace> analyse_message(std::string_view bytes, const RuleSet& rules, std::string* header_text) {
    if (header_text != nullptr) header_text->clear();
    if (is_compound_file(bytes)) {
        auto msg = read_outlook_msg(bytes);
        if (!msg) return msg.error();
        return trace_of_outlook(*msg, rules, header_text);
    }
    auto trace = build_trace(bytes);
    if (!trace) return trace;
    classify(*trace, rules);
    trace->far_end = assess_far_end(*trace);
    analyse_bounce(*trace, bytes, rules);
    return trace;
}

}  // namespace hopscope
