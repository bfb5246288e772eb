// Bounces written as prose rather than (or besides) an RFC 3464 report:
// Microsoft's NDR layouts (Exchange 2007 and later, Exchange Online, in
// English, French, German, Spanish, Italian, Dutch and Portuguese), Exchange
// 5.5/2003's, Exim's, qmail's, Postfix's and Sendmail's text, Gmail's legacy
// notices, the DragonFly Mail Agent's, and the "Delivery failed:" notices of
// appliance MTAs; and the notices of success or delay the same MTAs write
// (Microsoft's "Delivered:", "Relayed:" and "Delivery delayed:" texts,
// Postfix's, Sendmail's and Exim's warnings), each recipient with its
// action. Each reader is recognised by its own words, never by the sender.
// Pure: the decoded text of the report's first text/plain part in, fields
// out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "input/bounce_reader.hh"

namespace hopscope {

// Microsoft's layout, read into `report` (kind "microsoft-ndr"), also when a
// delivery-status part was read first: it adds the generating server, the
// recipients and diagnostics the report lacks, and the inline "Original
// message headers" block when no returned message is attached.
bool read_microsoft_ndr(std::string_view text, BounceReport& report);

// Every other prose layout, tried in turn; false when none says it is a
// bounce or a notice of success or delay.
bool read_text_bounce(std::string_view text, BounceReport& report);

}  // namespace hopscope
