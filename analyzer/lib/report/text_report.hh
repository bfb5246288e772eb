// The human form of a Trace: a summary block, the hop table with delay bars,
// then anomalies. Every header-derived string passes escape_for_terminal.
#pragma once

#include <string>

#include "chain/trace.hh"
#include "parse/security_headers.hh"
#include "report/display_zone.hh"

namespace hopscope {

struct TextStyle {
    bool colour = false;
    bool unicode = true;  // block characters for bars, "…" for cuts
    DisplayZone zone;
    bool security = true;  // the decoded security headers section
    // Terminal columns the hop table must fit; 0: no limit (a pipe or a file
    // gets every name whole). Only the From and By names are ever cut, never
    // an address.
    std::size_t width = 0;
};

// The words a segment line gives a role: "sender's provider", "recipient".
std::string_view role_story(std::string_view role);

// What a run of the chain is, in words, for the line above its hops: the
// role's story, the service's name ("sender's provider (Gmail)", "sender's
// provider: Google (Gmail / Workspace)": no nested parentheses), and the
// tenant's side when the message crossed Microsoft 365 twice ("Exchange
// Online Protection (recipient's tenant)"). Unescaped: each writer escapes it
// for its output.
std::string segment_story(const Trace& t, const OrgSegment& o);

// "TRAVERSED relay.contoso.com [198.51.100.77] -> EOP with TLS" and the like.
std::string verdict_line(const RelayVerdict& v);

// A relay.reason code in words ("direct-send" -> "Direct Send to the
// tenant's MX").
std::string_view reason_words(std::string_view reason);

// "mx.google.com received it from 40.107.20.107 (hop #6): SPF pass (tailspin.example, aligned),
// DMARC pass": the far end's results after the relay, in one line.
std::string far_end_line(const FarEnd& f);

// "Delivery to ap@tailspin.example FAILED at tailspin-example.mail.protection.outlook.com (5.7.64)";
// "FAILED, reported by mx.example (5.1.1)" when the report names no refusing server.
std::string bounce_headline(const Bounce& b);

// "Delivery notification: RELAYED to mx.google.com (success; the destination
// sends no notification of its own)", "Delivery notification: DELAYED at
// mx.example (4.7.500; not delivered yet; the server is still trying)".
std::string notification_headline(const Bounce& n);

// "in 6s over 5 hops", "in 1s over 2 hops, from the first stamp; the Date
// header is 9m 43s ahead (device clock fast)": the total and where it
// counts from, never a negative number. Plain text (no header bytes).
std::string delivered_text(const Trace& t);

// What the trace's analysis tells the security headers' decoding: written
// in a mailbox, by the relay answer. Every writer decodes with it.
SecurityContext security_context(const Trace& t);

// Who wrote the message where a list rewrote From to its own address
// ("'Nick Terrell' via kasan-dev <kasan-dev@googlegroups.com>"): the
// addr-spec of X-Original-From, or of Google Groups' X-Original-Sender when
// From is the address List-Post names; nullopt otherwise. JSON's `author`,
// and the address the audit groups and lists by.
std::optional<std::string> author_address(const Trace& t);

// The origin every writer gives (JSON's origin, the audit's columns and
// groups, the Origin line): origin_of, but none where that is Microsoft
// 365's own host first in a header cut above the entry (origin_note says so).
SenderSide report_origin(const Trace& t);

// What the Origin line adds after the sender: " (Microsoft 365's own host:
// ...)", " (written in a mailbox on HOST: the client's address is not in
// this header)", or nothing. Not escaped.
std::string origin_note(const Trace& t);

// "stopped after hop #N (HOST): the report came from SERVER", for a bounce's
// returned message `o`: the host and the clause only where known.
std::string stopped_text(const Bounce& b, const Trace& o);

std::string render_text(const Trace& trace, const TextStyle& style);

// "1h 02m 03s", "45s", "-3s"
std::string format_duration(std::int64_t seconds);

}  // namespace hopscope
