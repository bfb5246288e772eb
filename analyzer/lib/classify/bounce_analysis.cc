#include "classify/bounce_analysis.hh"

#include "base/duration.hh"
#include "base/utf8.hh"
#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/status_codes.hh"
#include "input/header_block.hh"
#include "parse/date_parser.hh"
#include "parse/ip_address.hh"

#include <algorithm>
#include <array>
#include <cstdint>

namespace hopscope {
namespace {

// Microsoft 365 ends its replies with the servers that gave them, each in
// brackets with a time: "[XXXX.JPNP255.PROD.OUTLOOK.COM 2025-05-25T22:22:22.000Z
// ...]". The first such server of Microsoft 365's, else none.
std::optional<std::string> microsoft_host_in_reply(std::string_view diagnostic, const RuleSet& rules) {
    for (std::size_t at = diagnostic.find('['); at != std::string_view::npos; at = diagnostic.find('[', at + 1)) {
        std::string_view rest = diagnostic.substr(at + 1);
        std::string_view host = rest.substr(0, rest.find_first_of(" ]"));
        if (host.size() < 4 || host.size() > 255 || host.find('.') == std::string_view::npos ||
            rest.size() == host.size() || rest[host.size()] != ' ')
            continue;
        if (!normalise_ip(host) && rules.names_microsoft_365(std::string(host), std::nullopt)) return std::string(host);
    }
    return std::nullopt;
}

// RFC 3464 section 2.3.3's actions other than "failed" (a bounce): whether
// each is a success, and its words for a headline.
struct ActionMeaning {
    std::string_view action;
    bool success;
    std::string_view note;
};
constexpr std::array<ActionMeaning, 4> kActions{{
    // "the message was successfully delivered to the recipient address"
    {"delivered", true, "success; delivered to the mailbox"},
    // "relayed or gatewayed into an environment that does not accept
    // responsibility for generating DSNs upon successful delivery"
    {"relayed", true, "success; the destination sends no notification of its own"},
    // "successfully delivered to the recipient address ... and forwarded by
    // the Reporting-MTA beyond that destination to multiple additional
    // recipient addresses"
    {"expanded", true, "success; delivered to a list or alias, whose members get it without notification"},
    // "the Reporting MTA has so far been unable to deliver or relay the
    // message, but it will continue to attempt to do so"
    {"delayed", false, "not delivered yet; the server is still trying"},
}};

const ActionMeaning* find_action(std::string_view action) {
    for (const auto& a : kActions)
        if (iequals(a.action, action)) return &a;
    return nullptr;
}

// The first bytes of a sender or subject, where the words below are looked
// for.
std::string_view head(std::string_view s) {
    return s.substr(0, 512);
}

// ASCII lower case ('A'-'Z' only, as iequals).
constexpr char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Words (lower-case ASCII, two bytes or more, at most 16) found in one pass
// over a text, case-insensitive as iequals: a position is tested only
// against the words that start with its byte, by their second byte first
// (one search per word cost 2 % of an audit of real mail).
template <std::size_t N>
class WordSet {
    static_assert(N <= 16);

  public:
    constexpr explicit WordSet(const std::array<std::string_view, N>& words) : words_(words) {
        for (std::size_t k = 0; k < N; ++k) {
            if (words[k].size() < 2) throw "a WordSet word has two bytes or more";  // a compile-time error
            const char c = words[k][0];
            const auto bit = static_cast<std::uint16_t>(1U << k);
            starting_[static_cast<unsigned char>(c)] |= bit;
            if (c >= 'a' && c <= 'z') starting_[static_cast<unsigned char>(c - 'a' + 'A')] |= bit;
        }
    }

    [[nodiscard]] bool in(std::string_view text) const {
        for (std::size_t i = 0; i + 1 < text.size(); ++i) {
            for (unsigned m = starting_[static_cast<unsigned char>(text[i])]; m != 0; m &= m - 1) {
                std::string_view w = words_[static_cast<std::size_t>(__builtin_ctz(m))];
                if (w[1] == lower(text[i + 1]) && iequals(text.substr(i, w.size()), w)) return true;
            }
        }
        return false;
    }

  private:
    std::array<std::string_view, N> words_;
    std::array<std::uint16_t, 256> starting_{};
};

// A bounce without a report says so in its sender or subject: the cheap
// test before the text readers look at the body.
bool may_be_text_bounce(const Trace& t) {
    static constexpr WordSet<4> kSenders({"mailer-daemon", "postmaster", "mail delivery", "microsoftexchange"});
    // Microsoft's localised subjects too: French, German, Spanish, Italian,
    // Dutch; and its reports of success ("Delivered:", "Relayed:").
    static constexpr WordSet<12> kSubjects({"failure notice", "delivery", "undeliver", "returned mail",
                                            "returned to sender", "non remis", "unzustellbar", "no se puede entregar",
                                            "non recapitabile", "onbestelbaar", "delivered:", "relayed:"});
    // A reply or a forward ("Re: Mail delivery failed") is a person's
    // message, even when it quotes or pastes a bounce: no MTA writes its
    // report under such a subject.
    if (t.subject) {
        std::string_view s = head(*t.subject);
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        for (std::string_view reply : {"re:", "fw:", "fwd:", "aw:", "wg:", "tr:", "sv:", "vs:", "r:", "i:"})
            if (istarts_with(s, reply)) return false;
    }
    if (t.from && kSenders.in(head(*t.from))) return true;
    return t.subject && kSubjects.in(head(*t.subject));
}

// What a notification says happened, in a sentence: "relayed to
// mx.example, which sends no notification of its own".
std::string notification_sentence(std::string_view action, const std::optional<std::string>& server,
                                  const std::optional<StatusMeaning>& meaning) {
    if (action == "delivered") return "delivered to the mailbox";
    if (action == "relayed")
        return "relayed to " + server.value_or("the next server") + ", which sends no notification of its own";
    if (action == "expanded")
        return "delivered to a list or alias and passed on to its members, who send no notification of their own";
    std::string s = "delayed, still trying";
    // x.4.7 ("delivery time expired") in a delay report: the server has
    // not given up, so the message has only waited, not expired.
    if (meaning && meaning->code.size() > 4 && meaning->code.substr(1) == ".4.7")
        s += ": the message has waited in a server's queue without being delivered yet (" + meaning->code +
             "); it expires only if that goes on until the server gives up";
    else if (meaning)
        s += ": " + std::string(meaning->explanation);
    return s;
}

// What a report that names no recipient reports, from its subject: Exchange's
// "Delivered:", "Relayed:" and "Expanded:" reports (an Outlook store may keep
// only their headers), a delay, or a failure's words; empty when it says none.
std::string_view outcome_from_subject(const std::optional<std::string>& subject) {
    if (!subject) return {};
    std::string_view s = head(*subject);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    for (std::string_view action : {"delivered", "relayed", "expanded", "delayed"})
        if (s.size() > action.size() && istarts_with(s, action) && s[action.size()] == ':') return action;
    static constexpr WordSet<3> kDelay({"(delay)", "delivery delayed", "delayed mail"});
    if (kDelay.in(s)) return "delayed";
    static constexpr WordSet<11> kFailed({"undeliver", "fail", "returned", "non remis", "unzustellbar",
                                          "no se puede entregar", "non recapitabile", "onbestelbaar", "not delivered",
                                          "delivery error", "rejected"});
    if (kFailed.in(s)) return "failed";
    return {};
}

// The server a diagnostic names as "host NAME[" or "connect to NAME[".
std::optional<std::string> diagnostic_host(std::string_view d) {
    for (std::string_view lead : {"host ", "connect to "}) {
        for (std::size_t at = d.find(lead); at != std::string_view::npos; at = d.find(lead, at + 1)) {
            if (at > 0 && d[at - 1] != ' ' && d[at - 1] != ';' && d[at - 1] != '(') continue;
            std::string_view rest = d.substr(at + lead.size());
            auto bracket = rest.find('[');
            if (bracket == std::string_view::npos || bracket == 0 || bracket > 253) continue;
            std::string_view name = rest.substr(0, bracket);
            if (name.find_first_of(" \t\"<>") != std::string_view::npos || name.find('.') == std::string_view::npos)
                continue;
            return std::string(name);
        }
    }
    return std::nullopt;
}

}  // namespace

std::string recipient_words(const BounceRecipient& r) {
    std::string words = r.address.value_or("?");
    if (r.original) words.append(" (the sender wrote ").append(*r.original).append(")");
    return words;
}

std::string attempt_words(const BounceRecipient& r, const std::optional<std::string>& arrival_date) {
    std::optional<UnixTime> arrived;
    if (arrival_date) arrived = parse_date(*arrival_date).time;
    // Seconds after the arrival, where both dates read.
    auto after = [&](const std::string& when) -> std::optional<std::int64_t> {
        auto t = parse_date(when).time;
        if (!t || !arrived) return std::nullopt;
        return *t - *arrived;
    };
    std::string words;
    if (r.last_attempt_date) {
        auto gap = after(*r.last_attempt_date);
        if (!gap || *gap >= 60) {
            words.append("last attempt ").append(*r.last_attempt_date);
            if (gap) words.append(", ").append(duration_text(*gap)).append(" after the message arrived");
        }
    }
    // A retry limit means something only while the server is still trying.
    if (r.will_retry_until && recipient_outcome(r) == "delayed") {
        words.append(words.empty() ? "it goes on trying until " : "; it goes on trying until ")
            .append(*r.will_retry_until);
        if (auto gap = after(*r.will_retry_until); gap && *gap > 0)
            words.append(", ").append(duration_text(*gap)).append(" after the message arrived");
    }
    return words;
}

std::string_view recipient_outcome(const BounceRecipient& r) {
    if (r.action) {
        std::string_view a = *r.action;
        a = a.substr(0, a.find_first_of(" \t;("));  // the action word, without a comment after it
        if (iequals(a, "failed")) return "failed";
        if (const auto* known = find_action(a)) return known->action;
    }
    // No action, or none of RFC 3464's: the status class says it.
    if (r.status)
        if (auto code = find_status_code(*r.status)) {
            if (code->front() == '2') return "delivered";
            if (code->front() == '4') return "delayed";
        }
    return "failed";
}

std::string_view notification_note(std::string_view action) {
    const auto* a = find_action(action);
    return a != nullptr ? a->note : std::string_view();
}

bool is_success_action(std::string_view action) {
    const auto* a = find_action(action);
    return a != nullptr && a->success;
}

void analyse_bounce(Trace& t, std::string_view message, const RuleSet& rules) {
    t.bounce.reset();
    t.notification.reset();
    if (!t.report_content_type && !may_be_text_bounce(t)) return;  // the cheap tests: most mail is no bounce
    auto report = read_bounce(message);
    if (!report) return;
    // What the report is: a bounce when a recipient failed (or it names
    // none), else a delay warning when one is still being tried, else a
    // notification of success of the first recipient's action.
    std::string_view outcome;
    for (const auto& r : report->recipients) {
        std::string_view o = recipient_outcome(r);
        if (o == "failed" || (o == "delayed" && outcome != "failed") || outcome.empty()) outcome = o;
    }
    if (outcome.empty() && report->recipients.empty()) {
        // No recipient says what happened: the subject may; where it does
        // not either, calling the report a failure would say more than it does.
        outcome = outcome_from_subject(t.subject);
        if (outcome.empty() && report->kind == "dsn") return;
    }
    if (outcome.empty()) outcome = "failed";
    const bool failed = outcome == "failed";
    Bounce b;
    // The first recipient of that outcome says why.
    const BounceRecipient* first = nullptr;
    for (const auto& r : report->recipients)
        if (first == nullptr && recipient_outcome(r) == outcome) first = &r;
    if (first != nullptr) {
        b.recipient = first->address;
        b.action = failed ? first->action : std::optional<std::string>(outcome);
        b.server = first->remote_mta;
        // No Remote-MTA: Postfix's diagnostic still names the server it
        // talked to ("host mx.example.net[192.0.2.9] said: ...", "connect to
        // mx.example.net[192.0.2.9]:25: ...").
        if (!b.server && first->diagnostic) b.server = diagnostic_host(*first->diagnostic);
    } else if (!failed) {
        b.action = std::string(outcome);  // from the subject: no recipient said it
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
    // The server that refused it, as the report names it (not the reporting
    // server it falls back to below): its returned message's verdict reads it.
    std::optional<std::string> refused_by = failed ? b.server : std::nullopt;
    if (failed && first != nullptr && first->diagnostic)
        if (auto host = microsoft_host_in_reply(*first->diagnostic, rules))
            if (!refused_by || !rules.names_microsoft_365_server(*refused_by)) refused_by = std::move(host);
    // A failure without a remote server is told as the reporting server's,
    // and a delivery or expansion happened there; a delay waits at the
    // reporting server and a relay went on from it: their remote server is
    // never the reporting one.
    if (!b.server && outcome != "delayed" && outcome != "relayed") {
        b.server = report->reporting_mta;
        b.server_only_reported = failed && b.server.has_value();
    }
    std::optional<std::string> code;
    if (first != nullptr && first->status) code = find_status_code(*first->status);
    if (first != nullptr && first->diagnostic) {
        // Exim and IIS write "Status: 5.0.0" over the remote's "550 5.7.57 ...":
        // the remote's own code, of the same class, says more.
        auto said = find_status_code(*first->diagnostic);
        if (!code || (said && code->ends_with(".0.0") && said->front() == code->front())) code = said ? said : code;
    }
    std::optional<StatusMeaning> meaning;
    // What the code alone means where the reply's words say otherwise.
    std::string_view code_alone;
    // When nothing names the server: Microsoft's meanings where the report is
    // Microsoft's or the bounce came through Microsoft 365 (or nothing says
    // where it came from, as the table is written), not where its stamps show
    // only other systems (a Gmail bounce of a Gmail relay's refusal).
    bool from_microsoft = report->kind.starts_with("microsoft") || t.hops.empty() ||
                          std::ranges::any_of(t.hops, [](const Hop& h) { return h.org == kMicrosoft365; });
    if (code) {
        b.status = *code;
        // Microsoft's own meanings of a code only where Microsoft 365 may
        // have given it. The code is the remote server's when its reply (the
        // diagnostic) carries it, else the reporting server's.
        std::optional<std::string> said;
        if (first != nullptr && first->diagnostic) said = find_status_code(*first->diagnostic);
        const std::optional<std::string>& author =
            said && *said == *code && first->remote_mta ? first->remote_mta : report->reporting_mta;
        if (author) {
            auto ip = normalise_ip(*author);
            from_microsoft =
                ip ? rules.names_microsoft_365(std::nullopt, ip) : rules.names_microsoft_365(author, std::nullopt);
        }
        meaning = explain_status(*code, from_microsoft);
        // The receiving server's own words, where they say more (a block list).
        if (failed && first != nullptr && first->diagnostic)
            if (auto reply = explain_reply(*first->diagnostic, *code)) {
                // "Other or undefined" (detail 0) says nothing the words contradict.
                if (reply->overrides_code && meaning && !code->ends_with(".0")) code_alone = meaning->explanation;
                meaning = std::move(reply);
            }
    }
    if (failed || outcome == "delayed") {
        if (meaning && !meaning->hint.empty()) b.hint = std::string(meaning->hint);
        // A block list naming a mail provider's own sending server (Gmail's
        // "Google tried to deliver your message"): the sender cannot delist
        // it, and the provider sends from many addresses.
        if (meaning && meaning->explanation.find("block list") != std::string_view::npos) {
            std::optional<std::string> provider;
            if (report->kind == "gmail") provider = "Gmail";
            if (auto m = report->reporting_mta ? rules.match_by(report->reporting_mta, std::nullopt, std::nullopt)
                                               : std::nullopt;
                !provider && m && m->rule->family == Family::Provider)
                provider = m->rule->product.empty() ? std::string(m->rule->org) : std::string(m->rule->product);
            if (provider)
                b.hint = "The listed address is a sending server of the provider, " + *provider +
                         ": only the provider can have it delisted, and it sends from many addresses, so a later "
                         "attempt may pass. If refusals go on, ask the recipient's side to allow it, or send "
                         "through another route.";
        }
        if (failed && meaning) {
            b.explanation = std::string(meaning->explanation);
            if (!code_alone.empty())
                *b.explanation += " Its code alone, " + *code + ", would mean: " + std::string(code_alone);
            // A temporary code on a recipient the sender gave up on: the
            // table's "keeps trying" is no longer true.
            static constexpr std::string_view kTrying = ": the sender keeps trying.";
            if (code && code->front() == '4' && b.explanation->ends_with(kTrying)) {
                b.explanation->resize(b.explanation->size() - kTrying.size());
                *b.explanation +=
                    ": a temporary failure, but the report marks the recipient failed, so no server is "
                    "trying any more: the message was not delivered.";
            } else if (code && code->front() == '4') {
                *b.explanation +=
                    " A temporary code, but the report marks the recipient failed, so no server is trying any more: "
                    "the message was not delivered.";
            }
        }
    }
    // A code that says only "other or undefined" (detail 0), or none the
    // tables know: the server's own words say what went wrong ("553 5.3.0
    // ... Unknown E-Mail Address", "500 (err.nosuchuser)").
    if (failed && first != nullptr && first->diagnostic && (!meaning || !code || code->ends_with(".0"))) {
        constexpr std::size_t kSaid = 200;
        std::string text = b.explanation ? *b.explanation + " " : std::string();
        text.append("The report's diagnostic: ")
            .append(valid_utf8_prefix(*first->diagnostic, kSaid))
            .append(first->diagnostic->size() > kSaid ? "..." : "");
        b.explanation = std::move(text);
    }
    if (!failed) b.explanation = notification_sentence(outcome, b.server, meaning);
    if (report->original) {
        auto original = build_trace(std::string_view(*report->original));
        if (original) {
            original->refused_by = refused_by;
            original->undelivered = failed || outcome == "delayed";
            classify(*original, rules);  // not analyse_bounce: a bounce of a bounce is traced one level down
            b.original.push_back(std::move(*original));
        } else {
            // Returned, but with nothing readable in it (a placeholder, a
            // body without headers): an original of no hops, said so.
            Trace empty;
            empty.input_kind = "message";
            empty.undelivered = failed || outcome == "delayed";
            empty.anomalies.push_back({"no-received", "the returned message holds no header fields"});
            b.original.push_back(std::move(empty));
        }
    }
    b.report = std::move(*report);
    if (failed)
        t.bounce = std::move(b);
    else
        t.notification = std::move(b);
}

}  // namespace hopscope
