// The sender's address as a key: the addr-spec of the first mailbox of a
// From header value, as GMime's address parser reads it (RFC 5322 with its
// obsolete forms, groups included), ASCII letters lower-cased. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hopscope {

// "scanner-3f@contoso.com" for "\"Scanner 3rd floor\" <Scanner-3F@Contoso.com>";
// the first mailbox that has an '@' (a decoded display name may hold a comma
// that splits it in two), nullopt when there is none. The common plain forms
// are read without GMime (simple_addr_spec); the rest through it.
std::optional<std::string> first_addr_spec(std::string_view value);

// The same, always through GMime; tests and the fuzzer hold the two to the
// same answers.
std::optional<std::string> first_addr_spec_gmime(std::string_view value);

// The addr-spec of a value in one of the plain forms most From headers take
// ("local@domain", "Name <local@domain>", "\"Name\" <local@domain>", with
// atoms of letters, digits and -_.+ only), lower-cased; nullopt for any
// other form, which first_addr_spec leaves to GMime.
std::optional<std::string> simple_addr_spec(std::string_view value);

}  // namespace hopscope
