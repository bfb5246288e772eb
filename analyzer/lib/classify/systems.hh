// The first pass of classify: who wrote each stamp. For every hop, the
// system on the receiving (by) side of its Received stamp: the service rule
// that names it, its organisation (the registrable domain of its name;
// microsoft-365 for Microsoft's hosts and ranges) and the party it belongs
// to when the next pass looks for hand-overs (a service's several domains,
// Gmail's gmail.com and google.com, are one party). A stamp whose receiver
// names no organisation (an address, an internal name, nothing) takes the
// system of a neighbouring stamp that shows the same host, and says which.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chain/trace.hh"
#include "classify/role_rules.hh"

namespace hopscope {

struct System {
    const Rule* service = nullptr;  // the gateway, provider, MX, list or Microsoft rule naming it
    std::string_view subject;       // what the service rule matched: a view of the trace's text
    std::optional<std::string> org;
    std::optional<std::string> party;  // the service's organisation, else org
    std::string org_note;              // how the org was found from a neighbour; empty when read off the stamp
    // The sender logged in to submit at a host an inbound-MX rule names
    // (mx.google.com with ESMTPSA): the provider rules name it instead.
    bool login_at_mx = false;
};

// The family of the service rule naming the system, if any.
std::optional<Family> family(const System& s);

// The service rule's evidence ("by-host matches *.pphosted.com (Proofpoint)"),
// or empty.
std::string service_evidence(const System& s);

// A note of the stamp's that contains `what` ("Authenticated sender").
bool note_has(const ReceivedFields& f, std::string_view what);

// Whether a reverse name spells its IPv4 address out, as access networks
// name their customers' addresses (50-39-105-78.bvtn.or.frontiernet.net,
// crbknf0213w-47-54-130-67.pppoe-dynamic...): three of the four octets, in
// order, as numbers of their own in the name, or the whole address as eight
// hex digits (p5b034af6.dip.t-dialin.net) or one decimal number
// (bas2-toronto63-1088792724.dsl.bell.ca).
bool names_its_address(std::string_view name, std::string_view ip);

// Whether a reverse name is an access network's name for a customer's line:
// it spells its address out (names_its_address), has a customer line's word
// before its registrable domain (cust, dsl, cable, dyn, dhcp, pool, ppp,
// client, …).
bool access_line_name(std::string_view name, const std::optional<std::string>& ip);

// Gmail's stamp of a client's submission: a Google by-host and an id with
// "sm" and digits ("by mx.google.com with ESMTPS id u23sm1686152bkw.11", as
// Gmail wrote submissions before ESMTPSA; its inbound ids have "si"). Observed
// in Gmail's stamps; Google does not document its ids.
bool gmail_submission_id(const ReceivedFields& f);

// A stamp whose protocol says the client logged in (ESMTPA, ESMTPSA).
bool esmtp_login(const ReceivedFields& f);

// An authenticated submission (ESMTPA, "Authenticated sender", Gmail's
// submission id): the stamp's receiver is the sender's own mail server or
// provider.
// A sender that names a system of its own: a public address or a name with
// an organisation.
bool names_public_system(const SenderSide& f);

bool authenticated_submission(const ReceivedFields& f);

// A mailbox server's hand-over of what its client wrote: "with mapi",
// HTTP or HTTPS (Outlook, OWA, a mobile client).
bool mailbox_stamp(const ReceivedFields& f);

// A stamp a mail fetcher wrote (fetchmail's "by localhost with POP3", "with
// IMAP"): the message taken out of a mailbox, not handed over by SMTP.
bool fetched_stamp(const ReceivedFields& f);

// qmail's own stamp, naming no system: "invoked by uid", "invoked by alias"
// (qmail-inject run by a local program) or "invoked from network" (after the
// stamp its SMTP daemon wrote); which of them, or nullopt.
std::optional<std::string_view> qmail_invoked(const ReceivedFields& f);

// The Exchange front end that proxied an SMTP client's submission to the
// mailbox server (X-ClientProxiedBy), when `h` is that mailbox server's
// "with mapi" stamp: the SMTP AUTH signature of connector-rules §2
// (observed; Microsoft documents the Client Proxy receive connector, not the
// header), not a message written in the mailbox by Outlook or OWA.
std::optional<std::string_view> proxied_smtp_client(const Trace& t, const Hop& h);
// An SMTP client's login shown by Exchange's AuthMechanism instead, where
// X-ClientProxiedBy is not there: 06 (TLSAuthLogin) beside the mailbox
// server's "with mapi" stamp `h` (observed; Microsoft does not document the
// codes). The AuthMechanism value, or nullopt.
std::optional<std::string_view> smtp_auth_by_mechanism(const Trace& t, const Hop& h);

// A system by its name and address, as the by-side of a stamp or the sender
// of the next one.
System system_named(const RuleSet& rules, const std::optional<std::string>& host, const std::optional<std::string>& ip,
                    const std::optional<std::string>& with);

// The systems that wrote the stamps, one per hop, into `sys`. `by_match`
// receives the rule each by-side matched (any family), for the later passes:
// for a stamp of an authenticated submission, no inbound-MX rule.
void who_wrote(const std::vector<Hop>& hops, const RuleSet& rules, std::vector<std::optional<RuleMatch>>& by_match,
               std::vector<System>& sys);

// "hop #3"
std::string hop_ref(const Hop& h);
// The same at the end of `out`.
void append_hop_ref(std::string& out, const Hop& h);

// The parts in one string, allocated once: for evidence texts.
std::string concat(std::initializer_list<std::string_view> parts);

}  // namespace hopscope
