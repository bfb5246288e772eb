// A bounce's meaning and its returned message: when a trace's Content-Type
// says it is a delivery report, the report is read from the message bytes,
// its status explained (classify/status_codes), and the returned message or
// header block traced and classified like any message.
#pragma once

#include <string_view>

#include "chain/trace.hh"
#include "classify/role_rules.hh"

namespace hopscope {

// Sets trace.bounce when `message` (the bytes `trace` was built from) is a
// bounce; leaves it empty otherwise. Reads nothing but the bytes.
void analyse_bounce(Trace& trace, std::string_view message, const RuleSet& rules);

}  // namespace hopscope
