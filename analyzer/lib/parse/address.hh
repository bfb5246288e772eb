// The sender's address as a key: the addr-spec of the first mailbox of a
// From header value, read by GMime's address parser (RFC 5322 with its
// obsolete forms, groups included), ASCII letters lower-cased. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hopscope {

// "scanner-3f@contoso.com" for "\"Scanner 3rd floor\" <Scanner-3F@Contoso.com>";
// the first mailbox that has an '@' (a decoded display name may hold a comma
// that splits it in two), nullopt when there is none.
std::optional<std::string> first_addr_spec(std::string_view value);

}  // namespace hopscope
