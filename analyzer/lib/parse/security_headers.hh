// Decoded security headers: what Microsoft's and others' anti-spam and
// authentication stamps say, with meanings, next to the raw values.
// Pure: reads the signal headers a trace kept, never the network. Raw values, coded fields
// and authentication results are views of the trace's text: a report lives
// no longer than its trace.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "input/header_block.hh"

namespace hopscope {

struct CodedField {
    std::string_view key;
    std::string_view value;
    std::string_view meaning;  // static text; empty when the key or value is unknown to us
    bool known_key = true;
};

struct AuthResult {
    std::string method;                                                     // spf, dkim, dmarc, compauth, arc, ...
    std::string_view result;                                                // pass, fail, none, ...
    std::optional<std::string_view> reason;                                 // reason=... or the comment
    std::vector<std::pair<std::string_view, std::string_view>> properties;  // smtp.mailfrom=..., header.d=...
};

// Views of the header's name and value (kept alive by the caller: the trace
// for decode_security), but for the methods, which are written in lower
// case, and the summaries.
struct AuthenticationResults {
    std::string_view header;  // Authentication-Results or ARC-Authentication-Results
    std::optional<std::string_view> authserv_id;
    std::optional<int> arc_instance;  // i= on ARC-Authentication-Results
    std::vector<AuthResult> results;
    std::vector<std::string> summary;  // "SPF: pass with IP 40.107.8.131"
    // A word a comment was cut out of ("a=b(c)d" reads "a=bd"), which the
    // value does not hold as one piece. Held by pointer: the views stay put
    // when the results move.
    std::vector<std::unique_ptr<const std::string>> joined;
};

struct SecurityReport {
    std::optional<std::string_view> forefront_raw;
    std::vector<CodedField> forefront;
    std::optional<std::string_view> antispam_raw;
    std::optional<int> bcl;
    std::optional<std::string_view> mailbox_delivery_raw;
    std::vector<CodedField> mailbox_delivery;
    std::optional<int> scl;  // X-MS-Exchange-Organization-SCL
    // How Exchange authenticated the sender (AuthAs, AuthMechanism,
    // AuthSource, OriginalAttributedTenantConnectingIp, FromEntityHeader).
    std::vector<CodedField> exchange_auth;
    std::vector<AuthenticationResults> authentication;
    [[nodiscard]] bool empty() const {
        return !forefront_raw && !antispam_raw && !mailbox_delivery_raw && !scl && authentication.empty() &&
               exchange_auth.empty();
    }
};

// Reads the signal headers a trace kept (Trace::signals): views of them.
SecurityReport decode_security(const std::vector<SignalHeader>& signals);

// X-MS-Exchange-Organization-AuthMechanism's two hex digits by name
// ("02" -> "MutualTLS"); empty when the code is unknown. Not documented by
// Microsoft: as read from Exchange's own code.
std::string_view auth_mechanism_name(std::string_view code);

// AuthAs values (Anonymous, Internal, Partner) in words; empty when unknown.
std::string_view auth_as_meaning(std::string_view value);

// The Ip=[...] of X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp.
std::optional<std::string> attributed_ip(std::string_view value);

// Views of `header` and `value`: they must outlive the result.
AuthenticationResults parse_authentication_results(std::string_view header, std::string_view value);
// The fields of an X-Forefront-Antispam-Report value, as views of `value`.
std::vector<CodedField> parse_forefront_report(std::string_view value);

}  // namespace hopscope
