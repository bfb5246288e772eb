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
        for (std::string_view who : {"mailer-daemon", "postmaster", "mail delivery", "microsoftexchange"})
            if (from.find(who) != std::string_view::npos) return true;
    }
    if (t.subject) {
        std::string_view subject = lowered(*t.subject, buf);
        // Microsoft's localised subjects too: French, German, Spanish, Italian, Dutch.
        for (std::string_view what :
             {"failure notice", "delivery", "undeliver", "returned mail", "returned to sender", "non remis",
              "unzustellbar", "no se puede entregar", "non recapitabile", "onbestelbaar"})
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
    // A report that names no reporting MTA was written by the system that
    // sent the bounce first: the receiver of the oldest stamp when that stamp
    // has no sender (written where the bounce was made, as Exchange 5.5's
    // "by gw with Internet Mail Service"), else that stamp's sender.
    if (!report->reporting_mta && !t.hops.empty()) {
        const auto& oldest = t.hops.front().fields;
        auto named = [](const std::optional<std::string>& n) {
            return n && n->find_first_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos &&
                   n->find_first_of(":[]") == std::string::npos;
        };
        // A sender that is the machine itself ("from localhost") is the bounce made there.
        auto loopback = [](const std::optional<std::string>& n) {
            return n && (iequals(*n, "localhost") || n->starts_with("127.") || *n == "::1");
        };
        bool local = (!oldest.from.helo || loopback(oldest.from.helo)) &&
                     (!oldest.from.host || loopback(oldest.from.host)) &&
                     (!oldest.from.rdns || loopback(oldest.from.rdns)) && (!oldest.from.ip || loopback(oldest.from.ip));
        if (!local) {
            for (const auto* n : {&oldest.from.helo, &oldest.from.host, &oldest.from.rdns})
                if (!report->reporting_mta && named(*n) && (*n)->find('.') != std::string::npos)
                    report->reporting_mta = **n;
        } else if (named(oldest.by.host)) {
            report->reporting_mta = oldest.by.host;
        }
    }
    if (!b.server) b.server = report->reporting_mta;
    std::optional<std::string> code;
    if (first != nullptr && first->status) code = find_status_code(*first->status);
    if (first != nullptr && first->diagnostic) {
        // Exim and IIS write "Status: 5.0.0" over the remote's "550 5.7.57 ...":
        // the remote's own code, of the same class, says more.
        auto said = find_status_code(*first->diagnostic);
        if (!code || (said && code->ends_with(".0.0") && said->front() == code->front())) code = said ? said : code;
    }
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
        } else {
            // Returned, but with nothing readable in it (a placeholder, a
            // body without headers): an original of no hops, said so.
            Trace empty;
            empty.input_kind = "message";
            empty.anomalies.push_back({"no-received", "the returned message holds no header fields"});
            b.original.push_back(std::move(empty));
        }
    }
    b.report = std::move(*report);
    t.bounce = std::move(b);
}

}  // namespace hopscope
