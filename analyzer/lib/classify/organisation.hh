// Organisations: the administrative domain of a mail system, as the Public
// Suffix List draws it ("mx0a-00082601.pphosted.com" is pphosted.com), and
// the few header facts that name one (the sender's own domains, a mailing
// list's). Pure functions over text; hop_classifier.cc places them on hops.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chain/trace.hh"

namespace hopscope {

// A host name that can name an organisation: lower case, without a trailing
// dot. nullopt for address literals, single labels, localhost and internal
// names (.local, .lan, .corp, .internal, .intranet, .localdomain,
// .home.arpa), and placeholders such as "unknown".
std::optional<std::string> public_name(std::string_view host);
// Whether public_name gives a name, without making it.
bool is_public_name(std::string_view host);

// The registrable domain of such a name (Public Suffix List), or nullopt.
std::optional<std::string> org_of_name(std::string_view host);

// Whether `host` is `org` or a name under it (case-insensitive, on a label
// boundary, a trailing dot ignored): no Public Suffix List lookup needed.
bool in_organisation(std::string_view host, std::string_view org);

// The registrable domain of the (last) address in an address header value:
// "Jane <jane@mail.example.co.uk>" -> "example.co.uk".
std::optional<std::string> org_of_address(std::string_view value);

// The header fields that name the sender's and a mailing list's
// organisation, found in one walk over the trace's signals: views of them.
struct OrgHeaders {
    std::optional<std::string_view> sender;
    std::optional<std::string_view> return_path;
    std::optional<std::string_view> list_id;
    std::optional<std::string_view> list_post;
    std::optional<std::string_view> mailing_list;
    std::optional<std::string_view> x_mailing_list;  // vger's and others' older stamp
    std::optional<std::string_view> list_owner;      // RFC 2369's, where a list names no List-Id or List-Post
    std::optional<std::string_view> list_subscribe;
    std::optional<std::string_view> precedence;
    static OrgHeaders of(const Trace& trace);
    // A list's own headers, or a list server's older marks: X-Mailing-List,
    // or Precedence: list|bulk with a Return-Path of a list's owner or
    // bounce address (owner-ports@, linux-kernel-owner@, foo-bounces@).
    [[nodiscard]] bool list() const;
};

// The sender's own organisations: From, Sender and Return-Path, in that
// order, without repeats.
std::vector<std::string> sender_orgs(const Trace& trace, const OrgHeaders& headers);

// The organisation of the mailing list the message came through (List-Id,
// else List-Post, else Mailing-List), or nullopt when it names none.
// `named_by`, when given, is set to the header that named it ("List-Id", ...).
std::optional<std::string> list_org(const OrgHeaders& headers, std::string_view* named_by = nullptr);

// The host a list's headers name for it: List-Post's address's domain
// ("ocfs2-devel@oss.oracle.com" gives oss.oracle.com), else List-Id's less
// its first label ("linux-hyperv.vger.kernel.org" gives vger.kernel.org),
// as written (compare with in_organisation); nullopt when neither names one.
std::optional<std::string> list_host(const OrgHeaders& headers);

// "a loopback address" (127.0.0.0/8, ::1) or "a site-local address" (the
// other ranges site_local_address takes), for the evidence.
std::string_view site_local_words(std::string_view ip);

// A sender at a public address for which its receiver recorded no reverse name
// ("unknown [IP]"): its HELO is only what it claimed, and names no
// organisation (a spam bot's "HELO hotmail.com").
bool helo_only_claim(const SenderSide& f);

}  // namespace hopscope
