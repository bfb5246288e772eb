// Finding an enhanced mail status code (RFC 3463, "class.subject.detail")
// in a bounce's text. What a code means is classify/status_codes.hh.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hopscope {

// The first enhanced status code in `text` ("550 5.7.64 TenantAttribution;
// Relay Access Denied" gives "5.7.64"): class 2, 4 or 5, subject and detail
// of one to three digits, not part of a longer number or version.
std::optional<std::string> find_status_code(std::string_view text);

}  // namespace hopscope
