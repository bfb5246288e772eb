// The third pass of classify: a role for every hop, read off the runs and
// the crossings between them (handover.hh). The message starts on the
// sender's side: the device's own stamps, then the sender's servers and the
// provider it submitted to, for as long as no crossing hands it to someone
// else or a crossing is proved to stay inside the sender's organisation.
// Microsoft 365, security gateways and lists take their roles from their
// hosts; the first crossing to any other organisation starts the
// recipient's side, and the story never returns to the sender's servers
// after it. Each role's evidence names the crossing it came from.
#pragma once

#include <optional>
#include <vector>

#include "chain/trace.hh"
#include "classify/handover.hh"
#include "classify/role_rules.hh"
#include "classify/systems.hh"

namespace hopscope {

void assign_roles(Trace& t, const std::vector<System>& sys, const Sides& sides,
                  const std::vector<std::optional<RuleMatch>>& by_match, const RuleSet& rules);

}  // namespace hopscope
