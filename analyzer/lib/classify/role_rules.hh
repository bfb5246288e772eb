// Classification rules as data: each rule names a family of systems
// (Microsoft's EOP front ends, Exchange Online, a mail provider, a security
// gateway, a provider's inbound MX, a mailing-list service, the
// organisation's own network or relay), how to recognise it (host pattern,
// network, protocol) and the evidence text it gives. The built-in table, the
// dated Microsoft ranges, the mail-services list and the user's additions
// (--relay, --internal-net, config `rule =` lines) all end up here;
// hop_classifier.cc turns families and chain position into roles.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"
#include "classify/network.hh"
#include "input/connector_config.hh"

namespace hopscope {

enum class Family { Eop, ExchangeOnline, Provider, Internal, Relay, Gateway, List, Mx };

enum class MatchKind { ByHost, FromHost, ByIp, FromIp, With };

struct Rule {
    std::string id;
    Family family;
    MatchKind kind;
    std::string pattern;             // host glob (* any run, ? one char, # one digit), CIDR, or protocol
    std::string evidence;            // why, in words; empty: generated from kind and pattern
    std::optional<Network> network;  // parsed once for the IP kinds
    std::string tail;                // literal text after the last '*' (no ? or #), or a pattern without
                                     // wildcards whole: must end the host
    std::string org;                 // the organisation it names; empty: the host's registrable domain
    std::string product;             // the service's name (gateways, providers, lists, MXs)
    bool user = false;               // from the command line or config: tried first
};

// A rule that matched, and the host or address it matched (a view of the
// caller's text, which must outlive the match). The evidence text is made
// only when asked for: most matches only need the family.
struct RuleMatch {
    const Rule* rule;
    std::string_view subject;
    [[nodiscard]] std::string evidence() const;
};

class RuleSet {
  public:
    // Built-in Microsoft, mail-service (analyzer/data/mail-services.txt) and
    // private-network rules.
    static RuleSet builtin();

    // "ROLE-FAMILY KIND PATTERN [EVIDENCE...]", e.g.
    // "internal by-host *.corp.example.com our relay farm".
    Result<bool> add_rule_line(std::string_view line);
    // --relay HOST|IP|CIDR
    Result<bool> add_relay(std::string_view what);
    // --internal-net CIDR
    Result<bool> add_internal_net(std::string_view cidr);

    // The Exchange Online configuration given with --connectors (inbound
    // connectors and accepted domains, every file merged), which the relay
    // verdict matches the message's EOP entry against
    // (classify/connector_match.hh); null when none was given. Shared, not
    // copied, by the copies of a rule set.
    void set_connectors(ConnectorConfig config);
    [[nodiscard]] const ConnectorConfig* connectors() const { return connectors_.get(); }

    [[nodiscard]] const std::vector<Rule>& rules() const { return rules_; }
    // Changes with every rule added, process-wide unique: answers remembered
    // for one rule set are never served to another.
    [[nodiscard]] std::uint64_t generation() const { return generation_; }
    [[nodiscard]] bool has_user_relay() const { return user_relays_ > 0; }
    // Any rule from the command line or config (--relay, --internal-net, `rule =`).
    [[nodiscard]] bool has_user_rules() const { return user_rules_ > 0; }
    // The --relay entries as given, comma-separated, for the evidence.
    [[nodiscard]] const std::string& user_relay_words() const { return relay_words_; }

    // First matching rule of a family for the receiving (by) side of a stamp.
    // `login`: the stamp records the sender's authenticated submission, so no
    // inbound-MX rule names its receiver ("by mx.google.com with ESMTPSA" is
    // the sender logging in to its provider, which the provider rules name).
    [[nodiscard]] std::optional<RuleMatch> match_by(const std::optional<std::string>& host,
                                                    const std::optional<std::string>& ip,
                                                    const std::optional<std::string>& with, bool login = false) const;
    // First matching rule for the sending side (for the relay and private checks).
    [[nodiscard]] std::optional<RuleMatch> match_from(const std::optional<std::string>& host,
                                                      const std::optional<std::string>& ip) const;
    // Is this host (or address) one of Microsoft 365's own (EOP or Exchange
    // Online), by the rules that name Microsoft 365's receivers?
    [[nodiscard]] bool names_microsoft_365(const std::optional<std::string>& host,
                                           const std::optional<std::string>& ip) const;
    // The same for a server as a bounce report names it: "host[192.0.2.1]",
    // "host (192.0.2.1)", a name or an address, a trailing dot or none.
    [[nodiscard]] bool names_microsoft_365_server(std::string_view server) const;
    // Is the first sending-side rule for this name (and address) one of
    // EOP's outbound service (eop-outbound-sender*)? The hand-over from one
    // tenant to another, and a trace of Microsoft 365 without its stamps.
    [[nodiscard]] bool names_eop_outbound(const std::string& name, const std::optional<std::string>& ip) const;
    // Does a --relay entry name this host or address?
    [[nodiscard]] std::optional<RuleMatch> match_user_relay(const std::optional<std::string>& host,
                                                            const std::optional<std::string>& ip) const;

  private:
    Result<bool> add(Rule rule);
    std::vector<Rule> rules_;
    [[nodiscard]] std::optional<RuleMatch> first_match(std::initializer_list<MatchKind> kinds,
                                                       const std::optional<std::string>& host,
                                                       const std::optional<std::string>& ip,
                                                       const std::optional<std::string>& with,
                                                       bool skip_mx = false) const;
    // Per host and protocol MatchKind: indexes into rules_, in trial order.
    std::array<std::vector<std::size_t>, 5> order_;
    // The by-ip and from-ip rules again, by the first byte an address in the
    // network can have (256 IPv4 buckets, then 256 IPv6), in trial order.
    std::array<std::array<std::vector<std::size_t>, 512>, 2> ip_index_;
    // The by-host and from-host rules again, by a hash of the last
    // kHostKey characters their hosts must end with (rules whose literal
    // tail is shorter sit in every bucket), in trial order.
    static constexpr std::size_t kHostKey = 6;
    static constexpr std::size_t kHostBuckets = 64;
    static std::size_t host_bucket(std::string_view s);  // s: a host or a rule tail, kHostKey long at least
    std::array<std::array<std::vector<std::size_t>, kHostBuckets>, 2> host_index_;
    std::vector<std::size_t> eop_outbound_;  // the eop-outbound-sender* rules
    int user_relays_ = 0;
    int user_rules_ = 0;
    std::string relay_words_;
    std::uint64_t generation_ = 0;
    std::shared_ptr<const ConnectorConfig> connectors_;
};

// Case-insensitive glob: '*' any run, '?' one character, '#' one digit.
bool host_glob(std::string_view pattern, std::string_view host);

std::string_view family_name(Family f);

// The organisation every Microsoft 365 host and range belongs to.
inline constexpr std::string_view kMicrosoft365 = "microsoft-365";

}  // namespace hopscope
