#include "report/audit_record.hh"
#include "report/text_report.hh"

#include <algorithm>

#include "classify/message_analysis.hh"
#include "parse/address.hh"
#include "parse/date_parser.hh"
#include "parse/ip_address.hh"
#include "report/csv_writer.hh"
#include "report/json_writer.hh"
#include "report/trace_json.hh"

namespace hopscope {
namespace {

void write_source(JsonWriter& w, const MessageSource& s) {
    w.key("source").begin_object().member("path", s.path).key("offset");
    if (s.offset)
        w.value(static_cast<std::int64_t>(*s.offset));
    else
        w.null();
    w.key("index");
    if (s.index)
        w.value(static_cast<std::int64_t>(*s.index));
    else
        w.null();
    if (s.item) {  // a PST/OST item: where it sits inside the file
        w.member("folder", s.folder).member("item", static_cast<std::int64_t>(*s.item));
    }
    w.end_object();
}

void write_record(const Trace* trace, const MessageSource& source, const std::optional<std::string>& error,
                  RecordFormat format, ByteBuffer& out, const std::optional<std::string>& skipped = std::nullopt) {
    if (format == RecordFormat::Jsonl) {
        {
            JsonWriter w(false, out);  // straight into the output buffer
            w.begin_object();
            if (trace != nullptr)  // not a ?: with Trace{}, which would copy the trace
                write_trace_members(w, *trace);
            else
                write_trace_members(w, Trace{});
            write_source(w, source);
            w.member("error", error);
            if (skipped) w.member("skipped", *skipped);  // only on an item that is no message
            w.end_object();
        }
        out.push_back('\n');
    } else if (format == RecordFormat::Csv) {
        out.append(csv_row(trace != nullptr ? audit_row(*trace) : AuditRow{}, source, error, skipped));
    }
}

}  // namespace

const std::vector<std::string>& audit_roles() {
    // In the order a chain tells its story.
    static const std::vector<std::string> roles = {
        "origin-device",   "local-relay",  "sender-infrastructure", "security-gateway", "eop",
        "exchange-online", "mailing-list", "external-delivery",     "unknown"};
    return roles;
}

namespace {

// The address a message is listed and grouped by: its author where a list
// rewrote From (author_address), else From's addr-spec.
std::optional<std::string> listed_address(const Trace& t) {
    if (auto author = author_address(t)) return author;
    return t.from ? first_addr_spec(*t.from) : std::nullopt;
}

}  // namespace

AuditRow audit_row(const Trace& t) {
    AuditRow r;
    r.analysed = true;
    r.message_id = t.message_id;
    if (t.created) r.date = format_utc(*t.created);
    r.subject = t.subject;
    r.from_address = listed_address(t);
    r.hops = static_cast<std::int64_t>(t.hops.size());
    SenderSide origin = report_origin(t);
    r.origin_ip = std::move(origin.ip);
    r.origin_host = std::move(origin.host);
    r.traversed = t.relay && t.relay->traversed;
    if (t.relay) {
        r.state = std::string(t.relay->state);
        r.method = std::string(t.relay->method);
        r.reason = std::string(t.relay->reason);
        r.relay_ip = t.relay->ip;
        r.relay_tls = t.relay->tls;
        r.tls_version = t.relay->tls_version;
        if (t.relay->connector) r.connector = connector_label(*t.relay->connector);
    }
    r.total_delay_s = t.total_delay_s;
    for (const auto& role : audit_roles()) {
        std::optional<std::int64_t> sum;
        for (const auto& h : t.hops)
            if (h.role == role && h.delay_s) sum = sum.value_or(0) + *h.delay_s;
        r.role_delays.push_back(sum);
    }
    if (t.bounce) {
        r.bounce_status = t.bounce->status;
        r.bounce_server = t.bounce->server;
    }
    if (t.notification) r.notification_action = t.notification->action;
    std::string kinds;
    for (const auto& a : t.anomalies) kinds += (kinds.empty() ? "" : ";") + a.kind;
    for (const auto& h : t.hops)
        for (const auto& a : h.anomalies) kinds += (kinds.empty() ? "" : ";") + a.kind + "@" + std::to_string(h.index);
    if (!kinds.empty()) r.anomalies = std::move(kinds);
    return r;
}

std::string csv_row(const AuditRow& r, const MessageSource& s, const std::optional<std::string>& error,
                    const std::optional<std::string>& skipped) {
    std::string row;
    auto text = [&](const std::optional<std::string>& v) {
        if (v) append_csv_text(row, *v);
        row.push_back(',');
    };
    auto number = [&](const std::optional<std::int64_t>& v) {
        if (v) row += std::to_string(*v);
        row.push_back(',');
    };
    append_csv_text(row, s.path);
    row.push_back(',');
    number(s.index ? std::optional<std::int64_t>(static_cast<std::int64_t>(*s.index)) : std::nullopt);
    number(s.offset ? std::optional<std::int64_t>(static_cast<std::int64_t>(*s.offset)) : std::nullopt);
    if (s.item) {
        append_csv_text(row, s.folder);
        row.push_back(',');
        number(static_cast<std::int64_t>(*s.item));
    } else {
        row += ",,";
    }
    if (r.analysed) {
        text(r.message_id);
        text(r.date);
        text(r.subject);
        text(r.from_address);
        number(r.hops);
        text(r.origin_ip);
        text(r.origin_host);
        text(std::string(r.traversed ? "true" : "false"));
        text(r.state);
        text(r.method);
        text(r.reason);
        text(r.relay_ip);
        text(r.relay_tls ? std::optional<std::string>(*r.relay_tls ? "true" : "false") : std::nullopt);
        text(r.tls_version);
        text(r.connector);
        number(r.total_delay_s);
        for (std::size_t i = 0; i < audit_roles().size(); ++i)
            number(i < r.role_delays.size() ? r.role_delays[i] : std::nullopt);
        text(r.bounce_status);
        text(r.bounce_server);
        text(r.notification_action);
        text(r.anomalies);
    } else {
        // message_id .. connector: 0 hops, not traversed, the rest empty.
        row += ",,,,0,,,false,,,,,,,,";
        for (std::size_t i = 0; i < audit_roles().size(); ++i) row.push_back(',');
        row += ",,,,";  // bounce_status, bounce_remote_mta, notification_action, anomalies
    }
    text(skipped);
    if (error) append_csv_text(row, *error);
    row += "\r\n";
    return row;
}

std::string csv_header() {
    std::string h =
        "source,index,offset,folder,item,message_id,date,subject,from_address,hops,origin_ip,origin_host,"
        "relay_traversed,state,method,reason,relay_ip,relay_tls,tls_version,connector,total_delay_s";
    for (const auto& r : audit_roles()) h += ",delay_" + r;
    h += ",bounce_status,bounce_remote_mta,notification_action,anomalies,skipped,error\r\n";
    return h;
}

std::string_view relay_state_text(std::string_view state) {
    for (std::string_view known : {"traversed", "not-traversed", "not-applicable"})
        if (state == known) return known;
    return {};
}

std::string period_problem(const Period& p) {
    // Both are "YYYY-MM-DDTHH:MM:SSZ": as text, in time order.
    if (!p.since.empty() && !p.until.empty() && p.since > p.until)
        return "--since " + p.since + " is after --until " + p.until + ": no message can be in that period";
    return {};
}

Result<std::string> period_bound(std::string_view text, bool until) {
    auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    const std::string why =
        "'" + std::string(text.substr(0, 40)) + "': expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)";
    auto y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    if (!y || !m || !d || text[4] != '-' || text[7] != '-' || *m < 1 || *m > 12 || *d < 1) return make_error(why);
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    if (*d > kDays[*m - 1] || (*m == 2 && *d == 29 && !leap)) return make_error(why);
    if (text.size() == 10) return std::string(text) + (until ? "T23:59:59Z" : "T00:00:00Z");
    auto hh = digits(11, 2), mm = digits(14, 2), ss = digits(17, 2);
    if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z' || !hh || !mm ||
        !ss || *hh > 23 || *mm > 59 || *ss > 60)
        return make_error(why);
    return std::string(text);
}

std::optional<std::string> message_time(const std::optional<std::string>& created, std::string_view delay_from,
                                        const std::optional<std::string>& first_stamp) {
    if (created && delay_from != "first-stamp") return created;
    if (first_stamp) return first_stamp;
    return created;
}

std::string_view left_out_of(const Period& period, const std::optional<std::string>& seen) {
    if (!period.active()) return {};
    if (!seen) return "undated";
    if ((!period.since.empty() && *seen < period.since) || (!period.until.empty() && *seen > period.until))
        return "outside";
    return {};
}

std::optional<std::string> eop_tls_words(bool entered, const std::optional<std::string>& version,
                                         std::optional<bool> tls) {
    if (!entered) return std::nullopt;
    if (version) return version;
    // Not stated (a client's submission the mailbox server's stamp hides):
    // unknown, never "none".
    if (!tls) return "unknown";
    return *tls ? "unknown" : "none";
}

bool entered_from_outside(std::optional<int> entry_hop, std::string_view method) {
    return entry_hop.has_value() && method != "mailbox";
}

bool is_sender_relay(std::string_view role, int hop, std::optional<int> entry_hop, std::string_view by,
                     const std::optional<std::string>& from, const std::optional<std::string>& from_ip,
                     const std::optional<std::string>& with, const std::optional<std::string>& origin_host) {
    if (role != "local-relay" || (entry_hop && hop >= *entry_hop)) return false;
    if (origin_host && iequals(by, *origin_host) && (!from_ip || loopback_address(*from_ip))) return false;
    return !(with && iequals(*with, "mapi") && from && iequals(*from, by));
}

namespace {

SenderFigures sender_figures(const Trace& t) {
    SenderFigures s;
    SenderSide origin = report_origin(t);
    s.origin_ip = std::move(origin.ip);
    s.origin_host = std::move(origin.host);
    s.from_address = listed_address(t);
    const RelayVerdict* v = t.relay ? &*t.relay : nullptr;
    const std::optional<int> entry = v != nullptr ? v->entry_hop : std::nullopt;
    for (const auto& h : t.hops) {
        auto name = h.fields.by.host ? h.fields.by.host : h.fields.by.ip;
        if (!name || !is_sender_relay(h.role, h.index, entry, *name, h.fields.from.host, h.fields.from.ip,
                                      h.fields.with, s.origin_host))
            continue;
        if (std::find(s.relays.begin(), s.relays.end(), *name) == s.relays.end()) s.relays.push_back(*name);
    }
    if (v != nullptr) {
        const bool entered = entered_from_outside(entry, v->method);
        if (entered) s.eop_from = v->ip ? v->ip : v->host;
        s.tls_into_eop = eop_tls_words(entered, v->tls_version, v->tls);
        if (v->connector) s.connector = connector_label(*v->connector);
    }
    return s;
}

}  // namespace

AuditFigures audit_message(std::string_view bytes, const MessageSource& source, const RuleSet& rules,
                           const AuditOptions& options, ByteBuffer& out, bool whole_file, const DashLines* dashes,
                           std::string_view report_body) {
    AuditFigures f;
    std::string not_mail;
    auto trace = analyse_message(bytes, rules, nullptr, whole_file ? &not_mail : nullptr, dashes,
                                 report_body);  // as trace and check do
    if (!trace && !not_mail.empty()) return audit_skipped(source, std::move(not_mail), options.format, out);
    if (trace && source.item) trace->input_kind = "pst-item";  // its transport headers, read as a header block
    if (trace) {
        f.analysed = true;
        f.traversed = trace->relay && trace->relay->traversed;
        if (trace->relay) {
            f.state = trace->relay->state;
            f.method = trace->relay->method;
        }
        if (options.senders || options.period.active()) {
            std::optional<std::string> created, first;
            if (trace->created) created = format_utc(*trace->created);
            for (const auto& h : trace->hops)
                if (h.fields.time) {
                    first = format_utc(*h.fields.time);
                    break;
                }
            f.seen = message_time(created, trace->delay_from, first);
        }
        f.left_out = left_out_of(options.period, f.seen);
        if (!f.left_out.empty()) {  // no record
            if (trace->relay) f.reason = std::move(trace->relay->reason);
            return f;
        }
        if (options.senders) f.sender = sender_figures(*trace);
        f.bounce = static_cast<bool>(trace->bounce);
        if (trace->notification) f.notification_action = trace->notification->action;
        f.delays.reserve(trace->hops.size());
        for (const auto& h : trace->hops) {
            if (h.delay_s) {
                bool zone_gap = std::any_of(trace->clock.begin(), trace->clock.end(), [&](const ClockFinding& c) {
                    return c.hop == h.index && c.kind == "zone-sized-gap";
                });
                f.delays.push_back({h.role, *h.delay_s, h.index, zone_gap});
            }
            for (const auto& a : h.anomalies) {
                if (a.kind == "clock-skew") ++f.clock_skew;
                if (a.kind == "unparsable-date") ++f.unparsable_dates;
            }
        }
    } else {
        f.error = trace.error().message;
    }
    write_record(trace ? &*trace : nullptr, source, f.error, options.format, out);
    if (trace) {
        // The trace's own texts, taken once its record is written: no copies.
        if (trace->relay) f.reason = std::move(trace->relay->reason);
        f.message_id = std::move(trace->message_id);
        if (trace->bounce) {
            f.bounce_status = std::move(trace->bounce->status);
            f.bounce_explanation = std::move(trace->bounce->explanation);
        }
    }
    return f;
}

AuditFigures audit_message(std::string_view bytes, const MessageSource& source, const RuleSet& rules,
                           RecordFormat format, ByteBuffer& out) {
    AuditOptions options;
    options.format = format;
    return audit_message(bytes, source, rules, options, out);
}

AuditFigures audit_unreadable(const MessageSource& source, std::string error, RecordFormat format, ByteBuffer& out) {
    AuditFigures f;
    f.error = std::move(error);
    write_record(nullptr, source, f.error, format, out);
    return f;
}

AuditFigures audit_skipped(const MessageSource& source, std::string what, RecordFormat format, ByteBuffer& out) {
    AuditFigures f;
    f.skipped = std::move(what);
    write_record(nullptr, source, std::nullopt, format, out, f.skipped);
    return f;
}

}  // namespace hopscope
