// The second pass of classify: where the message crossed from one
// organisation to another. Each stamp's system (systems.hh) is compared with
// the previous stamp's: the same party, two domains the chain proves to be
// one organisation (joined), or a hand-over to someone else (a crossing),
// each with its evidence. Different registrable domains are different
// organisations unless the chain proves otherwise: the same registrable
// domain, the sender's own domains (From, Sender, a Return-Path no later
// receiver rewrote), Microsoft 365 taking the sender's mail from the second
// as its on-premises server, a private address or an internal name between
// them, or the user's own --relay and --internal-net. Position alone never
// crosses a hand-over over the internet into a new domain.
//
// The crossings cut the chain into runs; a run has one kind (Microsoft 365,
// a security gateway, a list, a provider's inbound MX, a provider, another
// system), from its service rules. The third pass (roles.hh) reads roles
// off the runs and their crossings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chain/trace.hh"
#include "classify/role_rules.hh"
#include "classify/systems.hh"

namespace hopscope {

enum class LinkKind {
    Start,     // the first stamp: the chain starts inside its system
    Inside,    // the same system or organisation as the previous stamp
    Joined,    // another domain, proved to be the same organisation
    Crossing,  // a hand-over to another organisation
};

struct Link {
    LinkKind kind = LinkKind::Inside;
    std::string why;  // the evidence, for Start from outside, Joined and Crossing
    // The crossing came from the sending device (its own stamps, or a
    // client that names no organisation of its own) handing the message to
    // its first server, rather than from a server.
    bool from_device = false;
    bool tenant = false;  // Microsoft 365 to Microsoft 365: one tenant's outbound to another's inbound
};

enum class RunKind { Microsoft, Gateway, List, Mx, Provider, Generic };

struct Run {
    std::size_t first = 0;
    std::size_t last = 0;  // inclusive
    RunKind kind = RunKind::Generic;
    const System* service = nullptr;  // the hop whose rule gave the kind
    std::optional<std::string> party;
    std::optional<std::string> org;  // the organisation of its first hop that has one
};

struct Sides {
    std::vector<Link> links;  // one per hop: how its system relates to the previous stamp's
    std::vector<Run> runs;
    std::vector<std::string> sender_orgs;     // From, X-OriginatorOrg, and Sender and Return-Path unless a list or a
                                              // later receiver set them
    std::vector<std::string> recipient_orgs;  // Delivered-To, X-Original-To, the stamps' `for`, To
    // Where delivery says the message went: the organisation of each
    // Delivered-To and X-Original-To (written at delivery) with a domain, in
    // header order, beside that header's name as written.
    struct Delivered {
        std::string org;
        std::string_view named_by;
    };
    std::vector<Delivered> delivered;
    std::optional<std::string> list;     // the mailing list's organisation (List-Id, List-Post, ...)
    std::string_view list_named_by;      // the header that named it
    bool list_headers = false;           // the message carries list headers
    std::string return_path_note;        // why Sender or Return-Path do not name the sender, when they do not
    std::vector<std::string> rewriters;  // organisations that set Sender or Return-Path on the way (forwarders)
    // Per hop: which Microsoft 365 tenant it belongs to (0, 1, ... in chain
    // order, a new one after each tenant-to-tenant hand-over), -1 for hops
    // outside Microsoft 365.
    std::vector<int> tenant_group;
    [[nodiscard]] bool is_sender_org(const std::optional<std::string>& org) const;
};

// Stamps a device or host writes about itself: no client address and either
// no from clause, a local user, or a local pickup ("from userid"): the
// evidence, or nullopt.
std::optional<std::string> self_stamp(const Hop& h);

// Where the message changed hands, into `sides`: every member set afresh,
// the storage of its vectors reused.
void find_sides(const Trace& t, const std::vector<System>& sys, const RuleSet& rules, Sides& sides);

// Short words for a run's kind ("Microsoft 365", "a security gateway").
const char* describe_kind(RunKind k);

// The sender side of a stamp in words: "mail.example.com [192.0.2.1]".
std::string sender_words(const ReceivedFields& f);

// Whether the Microsoft 365 tenant the message passed is the sender's:
// Exchange says the message originated there or went out
// (MessageDirectionality, the spam filter's direction), a stamp after
// Microsoft's was written by someone else, or the mail stays inside one
// organisation.
bool senders_tenant(const Trace& t, const std::vector<System>& sys, const Sides& sides);

// Whether Exchange's single-valued headers, written at the last entry into
// Microsoft 365, record mail coming in from outside (DIR:INB,
// MessageDirectionality Incoming, FromEntityHeader Internet) and nothing of
// the tenant's own (HybridOnPrem, Originating, DIR:OUT, AuthAs Internal).
bool last_pass_incoming(const Trace& t);

// The first hop after the one at index `entry` outside Microsoft 365, of a
// known organisation that is not the sender's: Microsoft 365 sent the
// message on. Needs the hops' roles.
std::optional<std::size_t> sent_on_out(const Trace& t, const Sides& sides, std::size_t entry);

// What Exchange wrote of one entry into Microsoft 365: FromEntityHeader,
// AuthAs, MessageDirectionality and the spam filter's direction.
struct EntryWords {
    std::optional<std::string_view> entity, auth_as, direction;
    bool dir_out = false, dir_inb = false;
};

// The rule last_pass_incoming applies, on words already read: mail coming
// in from outside, and nothing of the tenant's own.
bool recorded_incoming(const EntryWords& w);

// Whether Microsoft 365's own headers say it took the message through an
// inbound connector as the tenant's own mail (FromEntityHeader
// HybridOnPrem, or AuthAs Internal on mail that no mailbox wrote): the
// evidence, or nullopt.
std::optional<std::string> microsoft_took_as_own(const Trace& t);

// A stamp cut short: no receiver, protocol or time (a copy whose folding
// was lost keeps only its first line). It tells no hand-over, and where no
// neighbour named its system (its hop has no org), leave_cut_stamps_unknown
// makes its role unknown. Needs the hops' roles.
bool cut_stamp(const ReceivedFields& f);
void leave_cut_stamps_unknown(Trace& t);

// A hand-over no stamp records: Microsoft 365 handed the message to a system
// outside it that wrote no stamp (a DLP or signing service), which handed it
// back (a hop into Microsoft 365 whose sender is public and not
// Microsoft's, right after a stamp of Microsoft 365's own). The hop gets an
// "unstamped-system" anomaly: its delay includes the time there. Needs the
// hops' roles.
void note_unstamped_systems(Trace& t, const RuleSet& rules);

}  // namespace hopscope
