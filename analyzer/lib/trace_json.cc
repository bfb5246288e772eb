#include "trace_json.hh"

#include "date_parser.hh"
#include "security_headers.hh"

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
    for (const auto& a : list) w.begin_object().key("kind").value(a.kind).key("detail").value(a.detail).end_object();
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
    w.key("index").value(std::int64_t{hop.index});
    w.key("from").begin_object();
    w.key("host").value(f.from.host).key("helo").value(f.from.helo);
    w.key("rdns").value(f.from.rdns).key("ip").value(f.from.ip);
    w.end_object();
    w.key("by").begin_object().key("host").value(f.by.host).key("ip").value(f.by.ip).end_object();
    w.key("with").value(f.with).key("id").value(f.id).key("for").value(f.for_).key("via").value(f.via);
    w.key("tls");
    if (f.tls)
        w.begin_object().key("version").value(f.tls->version).key("cipher").value(f.tls->cipher).end_object();
    else
        w.null();
    w.key("time");
    write_time(w, f.time);
    w.key("delay_s").value(hop.delay_s);
    w.key("role").value(hop.role);
    w.key("evidence");
    write_strings(w, hop.evidence);
    w.key("anomalies");
    write_anomalies(w, hop.anomalies);
    w.key("header").value(hop.header);
    w.key("mta").value(f.mta);
    w.key("date_text").value(f.date_text);
    w.key("notes");
    write_strings(w, f.notes);
    w.key("raw").value(f.raw);
    w.end_object();
}

void write_coded(JsonWriter& w, const std::vector<CodedField>& fields) {
    w.begin_array();
    for (const auto& f : fields) {
        w.begin_object().key("key").value(f.key).key("value").value(f.value);
        w.key("meaning");
        if (f.meaning.empty())
            w.null();
        else
            w.value(f.meaning);
        w.key("known").value(f.known_key).end_object();
    }
    w.end_array();
}

void write_security(JsonWriter& w, const SecurityReport& s) {
    w.begin_object();
    w.key("forefront_antispam_report");
    if (s.forefront_raw) {
        w.begin_object().key("raw").value(*s.forefront_raw).key("fields");
        write_coded(w, s.forefront);
        w.end_object();
    } else {
        w.null();
    }
    w.key("microsoft_antispam");
    if (s.antispam_raw) {
        w.begin_object().key("raw").value(*s.antispam_raw).key("bcl").value(s.bcl).end_object();
    } else {
        w.null();
    }
    w.key("mailbox_delivery");
    if (s.mailbox_delivery_raw) {
        w.begin_object().key("raw").value(*s.mailbox_delivery_raw).key("fields");
        write_coded(w, s.mailbox_delivery);
        w.end_object();
    } else {
        w.null();
    }
    w.key("scl").value(s.scl);
    w.key("authentication").begin_array();
    for (const auto& a : s.authentication) {
        w.begin_object().key("header").value(a.header).key("authserv_id").value(a.authserv_id);
        w.key("arc_instance").value(a.arc_instance);
        w.key("results").begin_array();
        for (const auto& r : a.results) {
            w.begin_object().key("method").value(r.method).key("result").value(r.result).key("reason").value(r.reason);
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

}  // namespace

void write_trace_members(JsonWriter& w, const Trace& t) {
    w.key("schema").value(std::int64_t{kJsonSchemaVersion});
    w.key("subject").value(t.subject);
    w.key("from").value(t.from);
    w.key("to").value(t.to);
    w.key("message_id").value(t.message_id);
    w.key("created");
    write_time(w, t.created);
    w.key("total_delay_s").value(t.total_delay_s);
    w.key("origin").begin_object();
    if (!t.hops.empty()) {
        w.key("host").value(t.hops.front().fields.from.host).key("ip").value(t.hops.front().fields.from.ip);
    } else {
        w.key("host").null().key("ip").null();
    }
    w.key("role").value("origin-device");
    w.end_object();
    w.key("relay");
    if (t.relay) {
        const RelayVerdict& r = *t.relay;
        w.begin_object();
        w.key("traversed").value(r.traversed).key("host").value(r.host).key("ip").value(r.ip);
        w.key("tls").value(r.tls).key("connector").value(r.connector);
        w.key("evidence");
        write_strings(w, r.evidence);
        w.end_object();
    } else {
        w.null();
    }
    w.key("input_kind").value(t.input_kind);
    w.key("hops").begin_array();
    for (const auto& h : t.hops) write_hop(w, h);
    w.end_array();
    w.key("x_received").begin_array();
    for (const auto& h : t.x_received) write_hop(w, h);
    w.end_array();
    w.key("security");
    write_security(w, decode_security(t));
    w.key("anomalies");
    write_anomalies(w, t.anomalies);
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
