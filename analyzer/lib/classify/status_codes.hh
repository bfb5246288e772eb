// What an enhanced mail status code means (RFC 3463 "class.subject.detail"),
// from the table analyzer/data/status-codes.txt, compiled in: an exact code,
// a range of details, a class-independent code (x.S.D), or the class.
// For bounce reports: the explanation, and for the codes a
// misconfigured Office 365 relay meets, a hint of what to check.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "input/status_code.hh"  // find_status_code

namespace hopscope {

struct StatusMeaning {
    std::string code;              // the code asked about, normalised ("5.7.64")
    std::string matched;           // the table row that answered ("5.7.606-649", "x.1.1", "5")
    std::string_view explanation;  // one sentence; static text
    std::string_view hint;         // what to check; empty when the row has none
    std::string_view source;       // the table's citation ("[MS-NDR] [RFC3463]")
    // A reply row that says otherwise than the code (a "User unknown" under
    // 5.2.1, "mailbox disabled"): the code's own meaning is worth saying too.
    bool overrides_code = false;
};

// What `code` ("5.7.64") means; nullopt when it is not a status code.
// Rows whose only sources are Microsoft's ([MS-...]) say what Exchange
// Online means by a code: when another server gave a code RFC 3463 defines
// (`from_microsoft` false), the RFC's meaning (an x.S.D row) answers, and a
// row both cite gives no hint (its hints are Exchange Online advice).
std::optional<StatusMeaning> explain_status(std::string_view code, bool from_microsoft = true);

// What a failure's reply (its diagnostic) says beyond its code: the table's
// "reply:" row whose words it contains (a block list naming the sending
// IP), or nullopt. A "reply[CODES]:" row answers only a code other than
// CODES (x.S.D: any class), which already say the same; words written
// "!WORDS" keep the row from a reply that contains them.
std::optional<StatusMeaning> explain_reply(std::string_view diagnostic, std::string_view code);

// The table's text (analyzer/data/status-codes.txt).
std::string_view status_codes_text();

}  // namespace hopscope
