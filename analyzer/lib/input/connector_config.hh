// Exchange Online's inbound connectors and accepted domains, as an admin
// exports them from PowerShell: `Get-InboundConnector` or
// `Get-AcceptedDomain` piped to ConvertTo-Json (one object or an array,
// Windows PowerShell's wide indentation or any other), printed by
// Format-List (a console paste: CRLF, padded names, `{a, b}` lists, values
// wrapped onto indented lines, remote-session extras) or written by
// Export-Csv (with or without its `#TYPE` line). The form and the kind of
// object are read from the content, never from the file name.
//
// Pure: bytes in, values out. What a form lost is said per property
// (Format-List cuts lists at $FormatEnumerationLimit; Export-Csv writes the
// type name of a multi-valued property instead of its values), with the
// command that exports it whole; unknown properties are ignored; a value
// that cannot be read is an error naming the line and the property.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hh"

namespace hopscope {

// A property whose value the export did not keep, and why (with the command
// that exports it whole).
struct LostValue {
    std::string property;
    std::string why;
    bool operator==(const LostValue&) const = default;
};

// One `Get-InboundConnector` object. Values as written (IP entries, names
// and domains are not checked here: classify/connector_lint.hh says what is
// wrong with them). An optional that is empty: the property is not in the
// export (or its value was lost: see `lost`).
struct InboundConnector {
    std::string name;  // Name, else Identity
    std::optional<bool> enabled;
    std::optional<std::string> connector_type;  // "OnPremises", "Partner", as written
    std::vector<std::string> sender_ip_addresses;
    std::optional<std::string> tls_sender_certificate_name;
    std::optional<bool> require_tls;
    std::vector<std::string> sender_domains;  // "smtp:*;1" as EXO shows them
    std::vector<std::string> associated_accepted_domains;
    std::optional<bool> restrict_domains_to_ip_addresses;
    std::optional<bool> restrict_domains_to_certificate;
    std::optional<bool> cloud_services_mail_enabled;
    std::optional<bool> treat_messages_as_internal;
    std::optional<std::string> connector_source;
    std::vector<LostValue> lost;
    // The line of each property read (1 = the file's first line), for
    // findings; `line` is where the object starts.
    std::vector<std::pair<std::string, int>> where;
    std::string file;
    int line = 0;

    // The line `property` was read from; the object's line when it was not.
    [[nodiscard]] int line_of(std::string_view property) const;
    // The lost entry for `property`, if its value was lost.
    [[nodiscard]] const LostValue* lost_value(std::string_view property) const;
    bool operator==(const InboundConnector&) const = default;
};

// One `Get-AcceptedDomain` object.
struct AcceptedDomain {
    std::string domain;                      // DomainName, lower case
    std::optional<std::string> domain_type;  // Authoritative, InternalRelay, ExternalRelay
    std::optional<bool> is_default;          // Default
    std::optional<bool> match_subdomains;    // MatchSubDomains
    std::string name;
    std::string file;
    int line = 0;
    bool operator==(const AcceptedDomain&) const = default;
};

// Where a configuration came from: each file read, its form and kind.
struct ConfigSource {
    std::string file;
    std::string form;  // "json", "format-list", "csv"
    std::string kind;  // "inbound-connectors", "accepted-domains", or both joined by '+'
    std::size_t objects = 0;
    bool operator==(const ConfigSource&) const = default;
};

struct ConnectorConfig {
    std::vector<InboundConnector> connectors;
    std::vector<AcceptedDomain> accepted_domains;
    // Accepted domains were given (a Get-AcceptedDomain export was read):
    // only then may a domain be said not to be accepted.
    bool accepted_domains_given = false;
    std::string form;  // the form of the file read; after merge_config, the first file's
    std::vector<ConfigSource> sources;
    // What the reader noticed that is not a value: the text's encoding, the
    // #TYPE line, a CSV delimiter, remote-session properties left aside.
    std::vector<std::string> notes;
    bool operator==(const ConnectorConfig&) const = default;
};

// Named limits: an export of a real tenant is a few kilobytes.
inline constexpr std::size_t kMaxConnectorFileBytes = std::size_t{8} * 1024 * 1024;
inline constexpr std::size_t kMaxConnectorObjects = 10'000;
inline constexpr std::size_t kMaxListValues = 100'000;

// Reads one file's bytes (UTF-8 with or without a byte-order mark, or
// UTF-16 with one, as Windows PowerShell's `>` writes). `name` names the
// file in errors: "NAME: line 12: SenderIPAddresses: ...".
Result<ConnectorConfig> read_connector_config(std::string_view bytes, std::string_view name);

// Appends `more` (another file) to `into`.
void merge_config(ConnectorConfig& into, ConnectorConfig more);

// The command that exports connectors (or accepted domains) whole, for
// messages about lost values.
inline constexpr std::string_view kExportConnectorsCommand =
    "Get-InboundConnector | ConvertTo-Json -Depth 5 > connectors.json";
inline constexpr std::string_view kExportAcceptedDomainsCommand =
    "Get-AcceptedDomain | ConvertTo-Json > accepted-domains.json";

}  // namespace hopscope
