#include "classify/bounce_analysis.hh"

#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/status_codes.hh"
#include "input/header_block.hh"

#include <algorithm>
#include <array>

namespace hopscope {
namespace {

// The first bytes of a sender or subject in lower case, so the words below
// are found by plain searches (a naive case-blind search per word cost 2 %
// of an audit of real mail).
std::string_view lowered(std::string_view s, std::array<char, 512>& buf) {
    std::size_t n = std::min(s.size(), buf.size());
    for (std::size_t i = 0; i < n; ++i) {
        char c = s[i];
        buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return {buf.data(), n};
}

// A bounce without a report says so in its sender or subject: the cheap
// test before the text readers look at the body.
bool may_be_text_bounce(const Trace& t) {
    std::array<char, 512> buf{};
    if (t.from) {
        std::string_view from = lowered(*t.from, buf);
        for (std::string_view who : {"mailer-daemon", "postmaster", "mail delivery"})
            if (from.find(who) != std::string_view::npos) return true;
    }
    if (t.subject) {
        std::string_view subject = lowered(*t.subject, buf);
        for (std::string_view what : {"failure notice", "delivery", "undeliver", "returned mail", "returned to sender"})
            if (subject.find(what) != std::string_view::npos) return true;
    }
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
