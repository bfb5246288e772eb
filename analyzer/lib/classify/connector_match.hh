// Which of the inbound connectors an admin exported took (or would take) a
// message into the recipient tenant's Exchange Online Protection: the
// configuration (input/connector_config.hh) against what the headers prove
// about that entry (EopEntry). Pure: values in, a ConnectorMatch out, each
// connector's outcome with its reason.
//
// What is documented (the sources are in analyzer/data/connector-rules.txt):
// only an enabled OnPremises connector relays; it identifies the sender by
// SenderIPAddresses (IPv4 addresses or CIDR /24 to /32) or by
// TlsSenderCertificateName (a domain, or *.domain for the domain and all its
// subdomains), the latter only over TLS; since November 2023 relay to
// outside recipients also needs the certificate's domain or the envelope
// sender's domain to be an accepted domain. What is not: which connector
// wins when several match (none is named: the evidence and not_ruled_out
// list those that match); whether a certificate naming only contoso.com satisfies
// *.contoso.com. The certificate a relay presented is never in the headers:
// a certificate match is only *consistent with* TLS from a host under that
// name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classify/network.hh"
#include "input/connector_config.hh"

namespace hopscope {

// What the headers prove about the message's entry into the recipient
// tenant's EOP. Filled by the relay verdict from EOP's own records, never
// from a Received claim further down the chain. Call match_connectors only
// for mail that entered EOP over SMTP from outside Microsoft (not for mail
// written in a mailbox).
struct EopEntry {
    // The address EOP received the message from, and which of EOP's records
    // says so: "CIP of X-Forefront-Antispam-Report",
    // "OriginalAttributedTenantConnectingIp", "the Frontend Transport stamp".
    std::optional<std::string> ip;
    std::string ip_source;
    std::optional<std::string> helo;  // the name the sender gave (H of X-Forefront-Antispam-Report, the stamp's HELO)
    std::optional<std::string> rdns;  // its reverse DNS name (PTR of X-Forefront-Antispam-Report, the stamp's)
    bool tls = false;                 // the hop into EOP used TLS
    std::optional<std::string> tls_version;  // "1.2", ... (for the evidence)
    // The envelope sender's (P1 MAIL FROM) domain as the headers show it
    // (Return-Path, smtp.mailfrom), lower case; "" for the null sender <>;
    // nullopt when the headers do not show it.
    std::optional<std::string> envelope_domain;
    std::optional<std::string> from_domain;  // the From header's domain, lower case, when it has one
    std::optional<std::string> from_entity;  // X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem, Internet, ...
    std::optional<std::string> auth_as;      // X-MS-Exchange-Organization-AuthAs
    std::optional<std::string> auth_mechanism;  // X-MS-Exchange-Organization-AuthMechanism (two hex digits)
    // What else in EOP's stamps says an on-premises connector took it, where
    // FromEntityHeader does not ("the spam filter's DIR:OUT", "AuthAs:
    // Internal"); nullopt when nothing does.
    std::optional<std::string> connector_signal;
};

enum class ConnectorOutcome {
    Matches,      // the connector identifies this sender (by IP, or consistent with its certificate name)
    CannotMatch,  // the headers or the configuration rule it out
    Unknown,      // neither: the reason says what is missing
};

struct ConnectorVerdict {
    std::string connector;
    ConnectorOutcome outcome = ConnectorOutcome::CannotMatch;
    std::optional<std::string> matched_by;  // "ip" or "certificate", when it matches
    std::vector<std::string> why;           // the reason, first; then what else was noticed
    bool operator==(const ConnectorVerdict&) const = default;
};

struct ConnectorMatch {
    std::optional<std::string> name;        // the connector that took (or would take) the message
    std::optional<std::string> matched_by;  // "ip" or "certificate"
    // Other connectors the configuration given cannot rule out (a list
    // PowerShell cut, a ConnectorType not in the file): `name` is then the
    // likeliest, not the only one; without a `name`, the candidates.
    std::vector<std::string> not_ruled_out;
    // Several connectors match alike: which one Exchange Online uses is not
    // documented, so `name` is empty and not_ruled_out lists them (the
    // unknown ones after).
    bool tie = false;
    // The chosen connector's reason, every other connector's, then what the
    // configuration and EOP's stamps say together.
    std::vector<std::string> evidence;
    // EOP's stamps contradict the configuration given: they say a connector
    // took the message (FromEntityHeader HybridOnPrem) and none given can
    // have, or that none did (Internet) while one given matches.
    bool config_not_in_force = false;
    // The relay requirement of November 2023 (the certificate's or the
    // envelope sender's domain is an accepted domain): nullopt when no
    // connector matched or no accepted domains were given.
    std::optional<bool> relay_requirement_met;
    std::vector<ConnectorVerdict> connectors;  // every connector, in the order given
    bool operator==(const ConnectorMatch&) const = default;
};

ConnectorMatch match_connectors(const EopEntry& entry, const ConnectorConfig& config);

// One SenderIPAddresses entry as Exchange Online reads it.
struct SenderIpEntry {
    enum class Kind { Address, Cidr, Range, Ipv6, Invalid };
    Kind kind = Kind::Invalid;
    std::optional<Network> network;  // an IPv4 address or network (Address, Cidr)
    int prefix = 32;
    // What Exchange Online accepts: an IPv4 address, or a CIDR network from
    // /24 to /32.
    [[nodiscard]] bool accepted() const {
        return (kind == Kind::Address || kind == Kind::Cidr) && prefix >= 24 && prefix <= 32;
    }
};
SenderIpEntry read_sender_ip(std::string_view text);

// What is wrong with a TlsSenderCertificateName, or empty: "a lone '*'",
// "an embedded wildcard".
std::string certificate_name_problem(std::string_view name);

// Does a host fall under a TlsSenderCertificateName? "*.contoso.com" covers
// every name under contoso.com and, as the reference words it ("a domain
// and all subdomains"), contoso.com itself: `bare` is set then, because how
// a certificate naming only the bare domain is treated is not documented.
bool certificate_name_covers(std::string_view name, std::string_view host, bool* bare = nullptr);

// The domain a certificate name stands for ("*.contoso.com" -> "contoso.com").
std::string certificate_domain(std::string_view name);

// The accepted domain `domain` is, or is under; nullopt when none is.
std::optional<std::string> accepted_domain_of(std::string_view domain, const ConnectorConfig& config);

}  // namespace hopscope
