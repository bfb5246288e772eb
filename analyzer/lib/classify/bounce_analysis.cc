#include "classify/bounce_analysis.hh"

#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/status_codes.hh"

namespace hopscope {

void analyse_bounce(Trace& t, std::string_view message, const RuleSet& rules) {
    t.bounce.reset();
    if (!t.report_content_type) return;  // the cheap test: most mail is no report
    auto report = read_bounce(message);
    if (!report) return;
    Bounce b;
    // The recipient that failed says why; else the first one.
    const BounceRecipient* first = nullptr;
    for (const auto& r : report->recipients)
        if (first == nullptr || (r.action && *r.action == "failed" && !(first->action && *first->action == "failed")))
            first = &r;
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
            classify(*original, rules);
            // A bounce of a bounce is traced one level down, no further.
            original->report_content_type = false;
            b.original.push_back(std::move(*original));
        }
    }
    b.report = std::move(*report);
    t.bounce = std::move(b);
}

}  // namespace hopscope
