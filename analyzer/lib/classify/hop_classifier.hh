// The classify stage: roles for every hop (the role of the system that wrote
// the stamp), each with the evidence for it, and the relay verdict.
//
// Roles: origin-device, local-relay, eop, exchange-online, external-delivery,
// sender-infrastructure (the sender's provider on inbound internet mail) and
// unknown. Families come from the rule table (role_rules.hh); the chain
// position decides the rest:
//   - hops stamped by EOP / Exchange Online hosts take those roles;
//   - every hop after the last Microsoft hop is external-delivery;
//   - before Microsoft (or with no Microsoft hop): hops stamped by the device
//     itself are origin-device, hops inside the organisation (private or
//     --internal-net addresses, internal names, --relay) are local-relay,
//     public providers are sender-infrastructure; with no Microsoft hop, the
//     first public receiver after the organisation's hops starts
//     external-delivery.
#pragma once

#include "chain/trace.hh"
#include "classify/role_rules.hh"

namespace hopscope {

void classify(Trace& trace, const RuleSet& rules);

}  // namespace hopscope
