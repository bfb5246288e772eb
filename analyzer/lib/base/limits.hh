// Named limits for what hostile input can use up. Hitting one truncates the
// input and records an anomaly; nothing aborts.
#pragma once

#include <cstddef>

namespace hopscope::limits {

// Header fields analysed per message (Postfix's hopcount_limit is 50 hops;
// we keep far more fields because O365 messages carry 60+ non-Received ones).
inline constexpr std::size_t max_header_fields = 10'000;
// Received fields turned into hops; the rest are counted and reported.
inline constexpr std::size_t max_hops = 1'000;
// Bytes of one unfolded header field that are parsed.
inline constexpr std::size_t max_field_bytes = std::size_t{64} * 1024;
// Bytes of a whole header block that are read.
inline constexpr std::size_t max_header_block_bytes = std::size_t{16} * 1024 * 1024;
// An Outlook .msg is read whole (its transport headers may sit anywhere in
// it), up to this size.
inline constexpr std::size_t max_outlook_file_bytes = std::size_t{512} * 1024 * 1024;
// Depth of nested comments the Received tokenizer follows.
inline constexpr std::size_t max_comment_depth = 64;

}  // namespace hopscope::limits
