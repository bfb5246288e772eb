// After the relay: will the far end accept it? For a message Microsoft 365
// sent on to another receiver (a hop from Microsoft's outbound servers to
// someone else, or to another tenant's EOP), what that receiver's own
// results say about SPF, DKIM and DMARC for the From domain (of the
// Authentication-Results, topmost first, then the ARC-Authentication-Results,
// highest instance first, the first that names the Microsoft address the
// receiver took the message from: the others are older), and what to change: the hints are data
// (analyzer/data/far-end-hints.txt), each with its sources.
//
// Pure: reads the trace's hops, their organisations (classify() first) and
// its kept signal headers.
#pragma once

#include <optional>

#include "chain/trace.hh"

namespace hopscope {

// Nullopt when the message never left Microsoft 365 for another receiver,
// or that receiver wrote no authentication results.
std::optional<FarEnd> assess_far_end(const Trace& trace);

// The hints' ids, in the table's order (for tests and the manual).
std::vector<std::string> far_end_hint_ids();

}  // namespace hopscope
