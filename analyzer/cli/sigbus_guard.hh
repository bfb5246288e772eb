// Survives a file shrinking under its memory map. A read of a mapped page
// past the file's new end raises SIGBUS, which would kill an audit of a live
// mailbox (a client compacting it, an expunge, a log rotation). Mappings
// registered here are guarded: a SIGBUS inside one maps zero pages over the
// rest of it and marks it faulted, and the read goes on; the owner then
// checks faulted() and reports the messages it could not read whole.
#pragma once

#include <cstddef>

namespace hopscope::sigbus_guard {

// Registers [base, base + size); returns a slot for faulted()/remove(), or
// -1 when the registry is full (the mapping is then unguarded). Installs the
// handler on first use.
int add(const char* base, std::size_t size);
// Before the mapping is unmapped.
void remove(int slot);
// True once a read inside the mapping found the file shorter than the map.
bool faulted(int slot);

}  // namespace hopscope::sigbus_guard
