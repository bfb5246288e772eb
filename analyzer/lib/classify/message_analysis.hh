// One message analysed as every command analyses it: its header block (or
// an Outlook .msg's transport headers, with subject, sender and sent time
// taken from MAPI where the headers lack them, and its attached messages
// traced on their own) chained, classified, and read as a bounce.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hh"
#include "chain/trace.hh"
#include "classify/role_rules.hh"
#include "input/dash_lines.hh"

namespace hopscope {

// Errors say what is wrong with the bytes ("no transport headers: this
// message was not received over SMTP", "holds no header fields"); the caller
// names the input. `header_text`, when given, receives the header text the
// trace was built from (an Outlook file's transport headers, else empty:
// the caller has the bytes). `not_mail`, when given and the bytes are no
// e-mail message at all (a file of another kind, text without a mail header
// field, an Outlook item never received over SMTP), receives what they are
// ("not an e-mail message (PDF)", "contact (IPM.Contact)"): what an audit
// skips when the bytes are a whole file, instead of failing them.
// `dashes`: the message's "--" lines where an mbox split noted them
// (input/dash_lines.hh), so the body is not searched for them again.
// `report_body`: where the bytes are a PST/OST item's transport headers, the
// item's PR_BODY when it is a report (input/pst_reader), read for the
// recipients and codes its headers do not name.
Result<Trace> analyse_message(std::string_view bytes, const RuleSet& rules, std::string* header_text = nullptr,
                              std::string* not_mail = nullptr, const DashLines* dashes = nullptr,
                              std::string_view report_body = {});

}  // namespace hopscope
