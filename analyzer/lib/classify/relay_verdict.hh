// The fourth pass of classify: the relay verdict. Did the message reach
// Microsoft 365 through the sender's relay, with or without TLS, and
// through which kind of connector? Decided once, here, from the roles and
// the runs the earlier passes found; every writer prints this one answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chain/trace.hh"
#include "classify/handover.hh"
#include "classify/role_rules.hh"
#include "classify/systems.hh"

namespace hopscope {

// Sets t.relay (and adds signal-contradiction anomalies to t).
void decide_relay(Trace& t, const std::vector<System>& sys, const Sides& sides, const RuleSet& rules);

// What a traversed verdict lacks for a user who demands TLS (`require_tls`)
// or at least a TLS version (`min_tls`, "1.2"; empty: any): "without TLS and
// TLS is required", "TLS 1.0 is below the minimum 1.2", "the stamp names no
// TLS version, so the minimum 1.2 is not shown met"; nullopt when it has
// it (or when the verdict is not traversed: nothing to add). One test for
// check, serve and every command that asks it.
std::optional<std::string> tls_shortfall(const RelayVerdict& v, bool require_tls, std::string_view min_tls);

}  // namespace hopscope
