#include "report/trace_json.hh"

#include "parse/date_parser.hh"
#include "parse/security_headers.hh"

namespace hopscope {
namespace {

void write_time(JsonWriter& w, const std::optional<UnixTime>& t) {
    if (t)
        w.value(format_utc_text(*t).view());
    else
        w.null();
}

void write_anomalies(JsonWriter& w, const std::vector<Anomaly>& list) {
    w.begin_array();
    for (const auto& a : list) w.begin_object().member("kind", a.kind).member("detail", a.detail).end_object();
    w.end_array();
}

void write_strings(JsonWriter& w, const std::vector<std::string>& list) {
    w.begin_array();
    for (const auto& s : list) w.value(s);
    w.end_array();
}

void write_hop(JsonWriter& w, const Hop& hop) {
    const ReceivedFields& f = hop.fields;
    w.begin_object();
    w.member("index", std::int64_t{hop.index});
    w.key("from").begin_object();
    w.member("host", f.from.host).member("helo", f.from.helo);
    w.member("rdns", f.from.rdns).member("ip", f.from.ip);
    w.end_object();
    w.key("by").begin_object().member("host", f.by.host).member("ip", f.by.ip).end_object();
    w.member("with", f.with).member("id", f.id).member("for", f.for_).member("via", f.via);
    w.key("tls");
    if (f.tls)
        w.begin_object().member("version", f.tls->version).member("cipher", f.tls->cipher).end_object();
    else
        w.null();
    w.key("time");
    write_time(w, f.time);
    w.member("delay_s", hop.delay_s);
    w.member("role", hop.role);
    w.member("org", hop.org);
    w.key("evidence");
    write_strings(w, hop.evidence);
    w.key("anomalies");
    write_anomalies(w, hop.anomalies);
    w.member("header", hop.header);
    w.member("mta", f.mta);
    w.member("date_text", f.date_text);
    w.key("notes");
    write_strings(w, f.notes);
    w.member("raw", f.raw);
    w.end_object();
}

void write_coded(JsonWriter& w, const std::vector<CodedField>& fields) {
    w.begin_array();
    for (const auto& f : fields) {
        w.begin_object().member("key", f.key).member("value", f.value);
        w.key("meaning");
        if (f.meaning.empty())
            w.null();
        else
            w.value(f.meaning);
        w.member("known", f.known_key).end_object();
    }
    w.end_array();
}

// {"raw", "fields": [...]} for a coded header, or null when it is absent.
void write_coded_header(JsonWriter& w, const std::optional<std::string_view>& raw,
                        const std::vector<CodedField>& fields) {
    if (!raw) {
        w.null();
        return;
    }
    w.begin_object().member("raw", *raw).key("fields");
    write_coded(w, fields);
    w.end_object();
}

void write_security(JsonWriter& w, const SecurityReport& s) {
    w.begin_object();
    w.key("forefront_antispam_report");
    write_coded_header(w, s.forefront_raw, s.forefront);
    w.key("microsoft_antispam");
    if (s.antispam_raw) {
        w.begin_object().member("raw", *s.antispam_raw).member("bcl", s.bcl).end_object();
    } else {
        w.null();
    }
    w.key("mailbox_delivery");
    write_coded_header(w, s.mailbox_delivery_raw, s.mailbox_delivery);
    w.member("scl", s.scl);
    w.key("exchange_auth");
    write_coded(w, s.exchange_auth);
    w.key("authentication").begin_array();
    for (const auto& a : s.authentication) {
        w.begin_object().member("header", a.header).member("authserv_id", a.authserv_id);
        w.member("arc_instance", a.arc_instance);
        w.key("results").begin_array();
        for (const auto& r : a.results) {
            w.begin_object().member("method", r.method).member("result", r.result).member("reason", r.reason);
            w.key("properties").begin_object();
            for (const auto& [k, v] : r.properties) w.key(k).value(v);
            w.end_object().end_object();
        }
        w.end_array();
        w.key("summary");
        write_strings(w, a.summary);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_check(JsonWriter& w, const FarEndCheck& c) {
    w.begin_object().member("result", c.result).member("domain", c.domain);
    if (c.method != "dmarc") w.member("aligned", c.aligned);
    w.end_object();
}

// After the relay: the far end's authentication results and the hints.
void write_far_end(JsonWriter& w, const std::optional<FarEnd>& far_end) {
    if (!far_end) {
        w.null();
        return;
    }
    const FarEnd& f = *far_end;
    w.begin_object();
    w.member("authserv_id", f.authserv_id).member("header", f.header).member("hop", std::int64_t{f.hop});
    w.member("sender_ip", f.sender_ip).member("envelope", f.envelope).member("from_domain", f.from_domain);
    w.key("spf");
    if (f.spf)
        write_check(w, *f.spf);
    else
        w.null();
    w.key("dkim").begin_array();
    for (const auto& d : f.dkim) write_check(w, d);
    w.end_array();
    w.key("dmarc");
    if (f.dmarc)
        write_check(w, *f.dmarc);
    else
        w.null();
    w.key("findings").begin_array();
    for (const auto& x : f.findings)
        w.begin_object()
            .member("id", x.id)
            .member("severity", x.severity)
            .member("message", x.message)
            .member("hint", x.hint)
            .member("source", x.source)
            .end_object();
    w.end_array();
    w.end_object();
}

}  // namespace

void write_trace_members(JsonWriter& w, const Trace& t) {
    w.member("schema", std::int64_t{kJsonSchemaVersion});
    w.member("subject", t.subject);
    w.member("from", t.from);
    w.member("to", t.to);
    w.member("message_id", t.message_id);
    w.key("created");
    write_time(w, t.created);
    w.member("total_delay_s", t.total_delay_s);
    w.key("origin").begin_object();
    if (!t.hops.empty()) {
        w.member("host", t.hops.front().fields.from.host).member("ip", t.hops.front().fields.from.ip);
    } else {
        w.key("host").null().key("ip").null();
    }
    w.member("role", "origin-device");
    w.end_object();
    w.key("relay");
    if (t.relay) {
        const RelayVerdict& r = *t.relay;
        w.begin_object();
        w.member("traversed", r.traversed).member("host", r.host).member("ip", r.ip);
        w.member("tls", r.tls).member("connector", r.connector);
        w.key("via");
        if (r.via)
            w.begin_object().member("org", r.via->org).member("product", r.via->product).end_object();
        else
            w.null();
        w.member("matched_by", r.matched_by);
        w.key("evidence");
        write_strings(w, r.evidence);
        w.end_object();
    } else {
        w.null();
    }
    w.key("far_end");
    write_far_end(w, t.far_end);
    w.key("bounce");
    if (t.bounce) {
        const Bounce& b = *t.bounce;
        const BounceReport& r = b.report;
        w.begin_object();
        w.member("kind", r.kind).member("reporting_mta", r.reporting_mta);
        w.member("generating_server", r.generating_server).member("arrival_date", r.arrival_date);
        w.member("status", b.status).member("server", b.server);
        w.key("recipients").begin_array();
        for (const auto& x : r.recipients)
            w.begin_object()
                .member("address", x.address)
                .member("action", x.action)
                .member("status", x.status)
                .member("remote_mta", x.remote_mta)
                .member("diagnostic", x.diagnostic)
                .end_object();
        w.end_array();
        w.member("explanation", b.explanation).member("hint", b.hint);
        w.key("original");
        if (b.original.empty()) {
            w.null();
        } else {
            w.begin_object();
            write_trace_members(w, b.original.front());
            w.end_object();
        }
        w.member("original_kind", r.original_kind.empty() ? std::nullopt : std::optional<std::string>(r.original_kind));
        w.end_object();
    } else {
        w.null();
    }
    w.member("input_kind", t.input_kind);
    w.key("orgs").begin_array();
    for (const auto& o : t.orgs)
        w.begin_object()
            .member("org", o.org)
            .member("role", o.role)
            .member("first_hop", std::int64_t{o.first_hop})
            .member("last_hop", std::int64_t{o.last_hop})
            .member("service", o.service)
            .end_object();
    w.end_array();
    w.key("hops").begin_array();
    for (const auto& h : t.hops) write_hop(w, h);
    w.end_array();
    w.key("x_received").begin_array();
    for (const auto& h : t.x_received) write_hop(w, h);
    w.end_array();
    w.key("security");
    write_security(w, decode_security(t.signals));
    w.key("anomalies");
    write_anomalies(w, t.anomalies);
    // An Outlook file: what came from MAPI rather than the headers, and the
    // attached messages, each a whole trace of its own.
    w.key("from_mapi");
    write_strings(w, t.from_mapi);
    w.key("attachments").begin_array();
    for (const auto& a : t.attachments) {
        w.begin_object();
        write_trace_members(w, a);
        w.end_object();
    }
    w.end_array();
}

std::string trace_to_json(const Trace& trace, bool pretty) {
    JsonWriter w(pretty);
    w.begin_object();
    write_trace_members(w, trace);
    w.end_object();
    std::string out = w.take();
    out.push_back('\n');
    return out;
}

}  // namespace hopscope
