#include "classify/bounce_analysis.hh"

#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/status_codes.hh"
#include "input/header_block.hh"

namespace hopscope {
namespace {

// A bounce without a report says so in its sender or subject: the cheap
// test before the text readers look at the body.
bool may_be_text_bounce(const Trace& t) {
    if (t.from)
        for (std::string_view who : {"mailer-daemon", "postmaster", "mail delivery"})
            if (icontains(*t.from, who)) return true;
    if (t.subject)
        for (std::string_view what : {"failure notice", "delivery", "undeliver", "returned mail", "returned to sender"})
            if (icontains(*t.subject, what)) return true;
    return false;
}

}  // namespace

void analyse_bounce(Trace& t, std::string_view message, const RuleSet& rules) {
    t.bounce.reset();
    if (!t.report_content_type && !may_be_text_bounce(t)) return;  // the cheap tests: most mail is no bounce
    auto report = read_bounce(message);
    if (!report) return;
    Bounce b;
    // The recipient that failed says why; else the first one.
    const BounceRecipient* first = nullptr;
    for (const auto& r : report->recipients)
        if (first == nullptr || (r.action && *r.action == "failed" && !(first->action && *first->action == "failed")))
            first = &r;
    if (first != nullptr) {
        b.recipient = first->address;
        b.action = first->action;
        b.server = first->remote_mta;
    }
    if (!b.server) b.server = report->reporting_mta;
    std::optional<std::string> code;
    if (first != nullptr && first->status) code = find_status_code(*first->status);
    if (!code && first != nullptr && first->diagnostic) code = find_status_code(*first->diagnostic);
    if (code) {
        b.status = *code;
        if (auto meaning = explain_status(*code)) {
            b.explanation = std::string(meaning->explanation);
            if (!meaning->hint.empty()) b.hint = std::string(meaning->hint);
        }
    }
    if (report->original) {
        auto original = build_trace(std::string_view(*report->original));
        if (original) {
            classify(*original, rules);  // not analyse_bounce: a bounce of a bounce is traced one level down
            b.original.push_back(std::move(*original));
        }
    }
    b.report = std::move(*report);
    t.bounce = std::move(b);
}

}  // namespace hopscope
