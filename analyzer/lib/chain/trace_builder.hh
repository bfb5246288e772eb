// The chain stage: from one message's bytes to a Trace (hops oldest first,
// UTC times, per-hop delays, anomalies). Pure: bytes in, value out.
#pragma once

#include <string_view>

#include "base/result.hh"
#include "chain/trace.hh"
#include "input/header_block.hh"

namespace hopscope {

// Fails only when the input holds no header field at all.
Result<Trace> build_trace(std::string_view message_bytes);

// The same from an already split header block (audit splits once).
Result<Trace> build_trace(const HeaderBlock& block);

// Delay arithmetic over hops that already carry their parsed times.
void compute_delays(Trace& trace);

}  // namespace hopscope
