// The fourth pass of classify: the relay verdict. Did the message reach
// Microsoft 365 through the sender's relay, with or without TLS, and
// through which kind of connector? Decided once, here, from the roles and
// the runs the earlier passes found; every writer prints this one answer.
#pragma once

#include <vector>

#include "chain/trace.hh"
#include "classify/handover.hh"
#include "classify/role_rules.hh"
#include "classify/systems.hh"

namespace hopscope {

// Sets t.relay (and adds signal-contradiction anomalies to t).
void decide_relay(Trace& t, const std::vector<System>& sys, const Sides& sides, const RuleSet& rules);

}  // namespace hopscope
