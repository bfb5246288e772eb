// Exit statuses, documented in README.md ("Exit codes"). Scripts read them.
#pragma once

namespace hopscope::exit_code {

inline constexpr int ok = 0;
inline constexpr int not_confirmed = 1;   // check: relay traversal not confirmed
inline constexpr int bad_input = 2;       // unreadable input, or no header fields
inline constexpr int parse_failures = 3;  // audit: some messages could not be analysed
inline constexpr int usage = 64;          // bad command line (sysexits EX_USAGE)
inline constexpr int internal = 70;       // a bug (sysexits EX_SOFTWARE)
inline constexpr int output = 74;         // the output could not be written (sysexits EX_IOERR)

}  // namespace hopscope::exit_code
