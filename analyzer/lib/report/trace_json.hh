// The JSON form of a Trace (schema documented in docs/json.md).
#pragma once

#include "chain/trace.hh"
#include "report/json_writer.hh"

namespace hopscope {

inline constexpr int kJsonSchemaVersion = 3;

// Writes the trace object's members into an object already begun, so audit
// can add its own members (source, error) to the same record.
void write_trace_members(JsonWriter& w, const Trace& trace);

std::string trace_to_json(const Trace& trace, bool pretty);

}  // namespace hopscope
