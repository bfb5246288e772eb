#include "report/audit_record.hh"

#include "classify/message_analysis.hh"
#include "parse/date_parser.hh"
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
                  RecordFormat format, ByteBuffer& out) {
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
            w.end_object();
        }
        out.push_back('\n');
    } else if (format == RecordFormat::Csv) {
        out.append(csv_row(trace != nullptr ? audit_row(*trace) : AuditRow{}, source, error));
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

AuditRow audit_row(const Trace& t) {
    AuditRow r;
    r.analysed = true;
    r.message_id = t.message_id;
    if (t.created) r.date = format_utc(*t.created);
    r.subject = t.subject;
    r.hops = static_cast<std::int64_t>(t.hops.size());
    if (!t.hops.empty()) r.origin_ip = t.hops.front().fields.from.ip;
    r.traversed = t.relay && t.relay->traversed;
    if (t.relay) {
        r.relay_ip = t.relay->ip;
        r.relay_tls = t.relay->tls;
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
    std::string kinds;
    for (const auto& a : t.anomalies) kinds += (kinds.empty() ? "" : ";") + a.kind;
    for (const auto& h : t.hops)
        for (const auto& a : h.anomalies) kinds += (kinds.empty() ? "" : ";") + a.kind + "@" + std::to_string(h.index);
    if (!kinds.empty()) r.anomalies = std::move(kinds);
    return r;
}

std::string csv_row(const AuditRow& r, const MessageSource& s, const std::optional<std::string>& error) {
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
    if (r.analysed) {
        text(r.message_id);
        text(r.date);
        text(r.subject);
        number(r.hops);
        text(r.origin_ip);
        text(std::string(r.traversed ? "true" : "false"));
        text(r.relay_ip);
        text(r.relay_tls ? std::optional<std::string>(*r.relay_tls ? "true" : "false") : std::nullopt);
        number(r.total_delay_s);
        for (std::size_t i = 0; i < audit_roles().size(); ++i)
            number(i < r.role_delays.size() ? r.role_delays[i] : std::nullopt);
        text(r.bounce_status);
        text(r.bounce_server);
        text(r.anomalies);
    } else {
        row += ",,,0,,false,,,,";
        for (std::size_t i = 0; i < audit_roles().size(); ++i) row.push_back(',');
        row += ",,,";  // bounce_status, bounce_remote_mta, anomalies
    }
    if (error) append_csv_text(row, *error);
    row += "\r\n";
    return row;
}

std::string csv_header() {
    std::string h =
        "source,index,offset,message_id,date,subject,hops,origin_ip,relay_traversed,relay_ip,relay_tls,total_delay_s";
    for (const auto& r : audit_roles()) h += ",delay_" + r;
    h += ",bounce_status,bounce_remote_mta,anomalies,error\r\n";
    return h;
}

AuditFigures audit_message(std::string_view bytes, const MessageSource& source, const RuleSet& rules,
                           RecordFormat format, ByteBuffer& out) {
    AuditFigures f;
    auto trace = analyse_message(bytes, rules);  // as trace and check analyse it
    if (trace) {
        f.analysed = true;
        f.traversed = trace->relay && trace->relay->traversed;
        f.message_id = trace->message_id;
        if (trace->bounce) {
            f.bounce = true;
            f.bounce_status = trace->bounce->status;
            f.bounce_explanation = trace->bounce->explanation;
        }
        f.delays.reserve(trace->hops.size());
        for (const auto& h : trace->hops) {
            if (h.delay_s) f.delays.push_back({h.role, *h.delay_s, h.index});
            for (const auto& a : h.anomalies) {
                if (a.kind == "clock-skew") ++f.clock_skew;
                if (a.kind == "unparsable-date") ++f.unparsable_dates;
            }
        }
    } else {
        f.error = trace.error().message;
    }
    write_record(trace ? &*trace : nullptr, source, f.error, format, out);
    return f;
}

AuditFigures audit_unreadable(const MessageSource& source, std::string error, RecordFormat format, ByteBuffer& out) {
    AuditFigures f;
    f.error = std::move(error);
    write_record(nullptr, source, f.error, format, out);
    return f;
}

}  // namespace hopscope
