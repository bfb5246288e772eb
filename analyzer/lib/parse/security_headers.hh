// Decoded security headers: what Microsoft's and other vendors' anti-spam
// and authentication stamps say, grouped by header under the header's real
// name, each value once, with its meaning and source from the table in
// parse/header_meanings. Pure: reads the signal headers a trace kept, never
// the network. Values, raw text and labels are views of the trace's text or
// of the compiled-in table: a report lives no longer than its trace.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "input/header_block.hh"
#include "parse/header_meanings.hh"

namespace hopscope {

// One decoded value: its label in the vendor's casing (the key as written
// when the table does not name it), the value, and the table's rows for it.
struct SecurityField {
    std::string_view key;
    std::string_view value;
    FieldLookup meaning;
    // The meaning to show and its status: the value's row, else the key's
    // (then a value the vendor does not describe), else none.
    [[nodiscard]] const FieldMeaning* row() const { return meaning.best(); }
    [[nodiscard]] bool value_described() const { return meaning.value != nullptr; }
};

struct AuthResult {
    std::string method;                                                     // spf, dkim, dmarc, compauth, arc, ...
    std::string_view result;                                                // pass, fail, none, ...
    std::optional<std::string_view> reason;                                 // the comment: "(sender IP is ...)"
    std::vector<std::pair<std::string_view, std::string_view>> properties;  // smtp.mailfrom=..., header.d=...
};

// Views of the header's name and value (kept alive by the caller: the trace
// for decode_security), but for the methods, which are written in lower
// case. A result's summary and details are put in words by the writer that
// prints them (auth_summary, auth_details).
struct AuthenticationResults {
    std::string_view header;  // Authentication-Results or ARC-Authentication-Results
    std::optional<std::string_view> authserv_id;
    std::optional<int> arc_instance;  // i= on ARC-Authentication-Results
    std::vector<AuthResult> results;
    // A word a comment was cut out of ("a=b(c)d" reads "a=bd"), which the
    // value does not hold as one piece. Held by pointer: the views stay put
    // when the results move.
    std::vector<std::unique_ptr<const std::string>> joined;
    // A dkim=none in it, and the message carries a DKIM-Signature now
    // (decode_security decides it from its SecurityContext).
    bool signed_now = false;
};

// The table's meaning of one result of `a` (an Authentication-Results
// field): the result's own row, but for a "none" in Exchange Online's stamp
// on its own senders' mail before any check (no authserv-id or a DKIM
// result for header.d=none, no SPF check of a sender IP), which is no
// finding (the "none-unchecked" rows).
// Every writer asks this.
FieldLookup result_meaning(const HeaderInfo& info, const AuthenticationResults& a, const AuthResult& r);

// One header of the section: all its fields of that name (for
// Authentication-Results, all of one authserv-id), each value once.
struct SecurityGroup {
    const HeaderInfo* info = nullptr;   // its canonical name, vendor, what it is, source
    std::vector<std::string_view> raw;  // the values, in the message's order
    std::vector<SecurityField> fields;  // coded fields, or the one value ("=")
    AuthenticationResults auth;         // authentication results, when it holds them
    // A Received-SPF "None" Exchange Online wrote on its own senders' mail
    // before any check (decode_security decides it from the other headers;
    // group_fields gives its result that meaning).
    bool unchecked_spf = false;
    // An AuthAs "Anonymous" or FromEntityHeader "Internet" of Outlook.com's
    // consumer tenant on mail written in one of its mailboxes (the
    // SecurityContext says so): it does not mean what it means elsewhere.
    bool consumer_mailbox = false;
    [[nodiscard]] bool authentication() const { return !auth.results.empty() || auth.authserv_id.has_value(); }
};

// The ARC chain as one: each set's seal and results, and what the newest
// seal says of the chain.
struct ArcSet {
    int instance = 0;
    std::optional<std::string_view> sealed_by;  // the ARC-Seal's d=
    std::optional<std::string_view> cv;         // the ARC-Seal's cv=
    FieldLookup cv_meaning;
    std::optional<AuthenticationResults> results;  // its ARC-Authentication-Results, when there
    // Results the same as a group's (SecurityReport::groups index) or an
    // earlier set's (its instance), for every method both name: those are
    // said there, once. `extra` lists the results that group does not have
    // (ARC's own arc=none, say), indexes into results->results.
    std::optional<std::size_t> same_as_group;
    std::optional<int> same_as_set;
    std::vector<std::size_t> extra;
};

struct ArcChain {
    std::vector<ArcSet> sets;  // by instance
    [[nodiscard]] const ArcSet* newest() const { return sets.empty() ? nullptr : &sets.back(); }
};

// What an admin uses next, from Exchange Online's stamps.
// Whether an X-MS-Exchange-CrossTenant-Id names a tenant the meanings table
// describes by its GUID: Outlook.com's consumer tenant (observed), a
// personal mailbox, not an organisation's tenant.
bool consumer_tenant_id(std::string_view tenant_id);

struct SecurityIdentifiers {
    std::optional<SecurityField> network_message_id;  // Organization-, else CrossTenant-Network-Message-Id
    std::optional<SecurityField> tenant_id;           // X-MS-Exchange-CrossTenant-Id
    std::optional<SecurityField> end_to_end_latency;  // X-MS-Exchange-Transport-EndToEndLatency
    std::optional<std::int64_t> end_to_end_latency_ms;
    [[nodiscard]] bool empty() const { return !network_message_id && !tenant_id && !end_to_end_latency; }
    // The tenant is no organisation's: the meaning table describes tenants
    // by their GUID only for such (Outlook.com's consumer tenant, observed).
    [[nodiscard]] bool consumer_tenant() const { return tenant_id && consumer_tenant_id(tenant_id->value); }
};

struct SecurityReport {
    std::vector<SecurityGroup> groups;  // in the table's order of headers, then the message's
    ArcChain arc;
    SecurityIdentifiers ids;
    [[nodiscard]] bool empty() const { return groups.empty() && arc.sets.empty() && ids.empty(); }
    // The group of that header (canonical name), first of its name; null when absent.
    [[nodiscard]] const SecurityGroup* find(std::string_view header) const;
};

// How much decode_security works out: everything, or all but what a writer
// that may have a group's text already can do without: the fields of a
// group that holds them (left empty: group_fields gives them when asked)
// and the identifiers' meaning rows.
enum class SecurityDecode : std::uint8_t { full, deferred_fields };

// What the rest of the analysis says that changes what a value means: the
// message was written in an Exchange Online mailbox (the relay answer's
// method "mailbox").
struct SecurityContext {
    bool written_in_mailbox = false;
    bool dkim_signed = false;  // the message carries a DKIM-Signature
};

// Reads the signal headers a trace kept (Trace::signals): views of them.
SecurityReport decode_security(const std::vector<SignalHeader>& signals, SecurityDecode how = SecurityDecode::full,
                               SecurityContext context = {});

// A hash of a value for the memos that keep what a value decodes or writes
// to (keyed by `seed` too): all of a short value, eight words spread over a
// longer one. Equal hashes say nothing: the memos compare the values.
std::uint64_t security_value_hash(std::uint64_t seed, std::string_view value);

// A group's fields as decode_security works them out from its raw values
// (none for authentication results): for a group decoded with deferred fields.
std::vector<SecurityField> group_fields(const SecurityGroup& g);

// An ARC-Seal's tags without its signature (b=), which nothing reads, unfolded
// (white space collapsed as unfold_collapsed does): what the chain stage
// keeps of one. `value` may be folded or not.
std::string arc_seal_without_signature(std::string_view value);

// Whether the chain-building stage keeps a header of this name for the
// security section (the signal headers beyond those classification reads).
bool is_security_header(std::string_view name);

// "SPF", "DKIM", "DMARC", "ARC", "Composite auth" for a method as written
// in lower case; other methods as they are.
std::string_view auth_method_label(std::string_view method);

// A result in words, in the style of Gmail's summary: its details "with IP
// 40.107.8.131 (mail from contoso.com)" (empty when its properties and
// comment say nothing more), and its summary "SPF: pass with IP
// 40.107.8.131 (mail from contoso.com)" (composite auth's reason too).
std::string auth_details(const AuthResult& r);
std::string auth_summary(const AuthResult& r);
// auth_summary appended to `out`: a writer's buffer serves every result.
void append_auth_summary(std::string& out, const AuthResult& r);

// X-MS-Exchange-Organization-AuthMechanism's two hex digits by name
// ("02" -> "MutualTLS"); empty when the code is unknown. Not documented by
// Microsoft: as read from Exchange's own code (the table's rows).
std::string_view auth_mechanism_name(std::string_view code);

// The Ip=[...] of X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp.
std::optional<std::string> attributed_ip(std::string_view value);

// Views of `header` and `value`: they must outlive the result.
AuthenticationResults parse_authentication_results(std::string_view header, std::string_view value);
// The i= of an ARC-Authentication-Results value alone: what
// parse_authentication_results reads as arc_instance, without the rest.
std::optional<int> arc_instance(std::string_view value);
// The fields of an X-Forefront-Antispam-Report value, as views of `value`.
std::vector<SecurityField> parse_forefront_report(std::string_view value);

// "00:00:01.9961181" or "1.02:03:04.5" (hours:minutes:seconds, days first
// when there are any) in milliseconds.
std::optional<std::int64_t> latency_ms(std::string_view value);

}  // namespace hopscope
