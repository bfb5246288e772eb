// Decoded security headers: what Microsoft's and others' anti-spam and
// authentication stamps say, with meanings, next to the raw values.
// Pure: reads Trace::signals, never the network. Raw values and coded fields
// are views of the trace's text: a report lives no longer than its trace.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hop.hh"

namespace hopscope {

struct CodedField {
    std::string_view key;
    std::string_view value;
    std::string_view meaning;  // static text; empty when the key or value is unknown to us
    bool known_key = true;
};

struct AuthResult {
    std::string method;                                           // spf, dkim, dmarc, compauth, arc, ...
    std::string result;                                           // pass, fail, none, ...
    std::optional<std::string> reason;                            // reason=... or the comment
    std::vector<std::pair<std::string, std::string>> properties;  // smtp.mailfrom=..., header.d=...
};

struct AuthenticationResults {
    std::string header;  // Authentication-Results or ARC-Authentication-Results
    std::optional<std::string> authserv_id;
    std::optional<int> arc_instance;  // i= on ARC-Authentication-Results
    std::vector<AuthResult> results;
    std::vector<std::string> summary;  // "SPF: pass with IP 40.107.8.131"
};

struct SecurityReport {
    std::optional<std::string_view> forefront_raw;
    std::vector<CodedField> forefront;
    std::optional<std::string_view> antispam_raw;
    std::optional<int> bcl;
    std::optional<std::string_view> mailbox_delivery_raw;
    std::vector<CodedField> mailbox_delivery;
    std::optional<int> scl;  // X-MS-Exchange-Organization-SCL
    std::vector<AuthenticationResults> authentication;
    [[nodiscard]] bool empty() const {
        return !forefront_raw && !antispam_raw && !mailbox_delivery_raw && !scl && authentication.empty();
    }
};

SecurityReport decode_security(const Trace& trace);

AuthenticationResults parse_authentication_results(std::string_view header, std::string_view value);
// The fields of an X-Forefront-Antispam-Report value, as views of `value`.
std::vector<CodedField> parse_forefront_report(std::string_view value);

}  // namespace hopscope
