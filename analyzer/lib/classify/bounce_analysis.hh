// A delivery report's meaning and its returned message: when a trace's
// Content-Type says it is a delivery report (or its sender or subject say a
// prose one), the report is read from the message bytes, each recipient's
// outcome decided (failed, delayed, delivered, relayed, expanded), its
// status explained (classify/status_codes), and the returned message or
// header block traced and classified like any message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chain/trace.hh"
#include "classify/role_rules.hh"

namespace hopscope {

// A recipient's outcome, from its Action (RFC 3464 section 2.3.3) and,
// when the Action is missing or not one of RFC 3464's, its status class
// (RFC 3463: 2 success, 4 delayed, 5 failed): "failed", "delayed",
// "delivered", "relayed" or "expanded". Static text.
std::string_view recipient_outcome(const BounceRecipient& recipient);

// A recipient as a report names it, with the address the sender wrote where
// that was another (Original-Recipient, RFC 3464 section 2.3.1): "jane@
// example.net (the sender wrote info@example.com)". Not escaped.
std::string recipient_words(const BounceRecipient& recipient);

// When the reporting server last tried a recipient and, for a delayed one,
// until when it goes on trying (RFC 3464 sections 2.3.7, 2.3.8), as the
// report writes them, each with its distance from the report's Arrival-Date
// where both read: "last attempt Sat, 1 May 2010 23:34:45 +0900, 2 d after
// the message arrived; it goes on trying until ...". A last attempt within
// a minute of the arrival tells nothing the arrival does not: left out.
// Empty when nothing is left. Not escaped.
std::string attempt_words(const BounceRecipient& recipient, const std::optional<std::string>& arrival_date);

// What a notification's action means, in a few words for a headline:
// "success; the destination sends no notification of its own". Static
// text; empty for an action that is none of delivered, relayed, expanded,
// delayed.
std::string_view notification_note(std::string_view action);

// Whether a notification's action is a success (delivered, relayed, expanded).
bool is_success_action(std::string_view action);

// Sets trace.bounce when `message` (the bytes `trace` was built from) is a
// bounce (a recipient failed, or the report names none), trace.notification
// when it is a report of success or delay for every recipient it names;
// leaves both empty otherwise. Reads nothing but the bytes.
void analyse_bounce(Trace& trace, std::string_view message, const RuleSet& rules);

}  // namespace hopscope
