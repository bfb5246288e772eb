// The line an Exchange Online admin runs next to see the message in their
// tenant's message trace: Get-MessageTraceV2 with the message's Message-ID
// and the days around its stamps (without dates the cmdlet searches only
// the last 48 hours; it keeps 90 days and takes at most 10 per query:
// https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetracev2).
#pragma once

#include <optional>
#include <string>

#include "chain/trace.hh"
#include "parse/security_headers.hh"

namespace hopscope {

// "Get-MessageTraceV2 -MessageId '<id@host>' -StartDate 2024-05-13 -EndDate
// 2024-05-16", when the message passed through Microsoft 365 (a hop of EOP
// or Exchange Online, or Exchange Online's IDs in the headers) and has a
// Message-ID PowerShell can take quoted (printable ASCII; ' doubled), and
// an organisation's tenant handled it last (not Outlook.com's consumer one).
std::optional<std::string> message_trace_command(const Trace& t, const SecurityReport& sec);

// The relay answer found the chain outside Microsoft 365 (no hop of it, and
// no report of its refusal): Exchange IDs in the headers are an Exchange
// server's on premises, for its admin, not a tenant's.
bool outside_microsoft_365(const Trace& t);

}  // namespace hopscope
