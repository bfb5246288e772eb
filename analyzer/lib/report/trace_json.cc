#include "report/trace_json.hh"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "parse/date_parser.hh"
#include "parse/security_headers.hh"
#include "report/message_trace.hh"
#include "report/text_report.hh"

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

std::size_t escaped(const std::optional<std::string>& s) {
    return s ? JsonWriter::max_escaped(s->size()) : 0;
}

std::size_t escaped(const std::vector<std::string>& list) {
    std::size_t n = 0;
    for (const auto& s : list) n += JsonWriter::max_escaped(s.size()) + JsonWriter::kRunSlack;
    return n;
}

// A hop of a compact record: its members after one room check.
void write_hop_compact(JsonWriter& w, const Hop& hop) {
    const ReceivedFields& f = hop.fields;
    using J = JsonWriter;
    std::size_t bound = 32 * J::kRunSlack + escaped(f.from.host) + escaped(f.from.helo) + escaped(f.from.rdns) +
                        escaped(f.from.ip) + escaped(f.by.host) + escaped(f.by.ip) + escaped(f.with) + escaped(f.id) +
                        escaped(f.for_) + escaped(f.via) + escaped(hop.org) + escaped(f.mta) + escaped(f.date_text) +
                        J::max_escaped(hop.role.size()) + J::max_escaped(hop.header.size()) +
                        J::max_escaped(f.raw.size()) + escaped(hop.evidence) + escaped(f.notes);
    if (f.tls) bound += escaped(f.tls->version) + escaped(f.tls->cipher);
    for (const auto& a : hop.anomalies)
        bound += J::max_escaped(a.kind.size()) + J::max_escaped(a.detail.size()) + J::kRunSlack;
    const std::optional<UtcText> time = f.time ? std::optional<UtcText>(format_utc_text(*f.time)) : std::nullopt;
    if (time) bound += J::max_escaped(time->len);
    w.begin_object();
    {
        J::Run r(w, bound);
        r.member("index", std::int64_t{hop.index});
        r.object("from").member("host", f.from.host).member("helo", f.from.helo);
        r.member("rdns", f.from.rdns).member("ip", f.from.ip).end_object();
        r.object("by").member("host", f.by.host).member("ip", f.by.ip).end_object();
        r.member("with", f.with).member("id", f.id).member("for", f.for_).member("via", f.via);
        if (f.tls)
            r.object("tls").member("version", f.tls->version).member("cipher", f.tls->cipher).end_object();
        else
            r.null("tls");
        if (time)
            r.member("time", time->view());
        else
            r.null("time");
        r.member("delay_s", hop.delay_s);
        r.member("role", hop.role);
        r.member("org", hop.org);
        r.array("evidence");
        for (const auto& e : hop.evidence) r.value(e);
        r.end_array().array("anomalies");
        for (const auto& a : hop.anomalies) r.object().member("kind", a.kind).member("detail", a.detail).end_object();
        r.end_array();
        r.member("header", hop.header);
        r.member("mta", f.mta);
        r.member("date_text", f.date_text);
        r.array("notes");
        for (const auto& n : f.notes) r.value(n);
        r.end_array();
        r.member("raw", f.raw);
    }
    w.end_object();
}

void write_hop(JsonWriter& w, const Hop& hop) {
    if (!w.pretty()) {
        write_hop_compact(w, hop);
        return;
    }
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

// The table's text is plain ASCII (checked when it loads): copied as it is.
void write_source(JsonWriter& w, const MeaningSource* s) {
    w.key("source");
    if (s != nullptr)
        w.plain_value(s->url);
    else
        w.null();
}

void write_meaning(JsonWriter& w, const FieldMeaning* row) {
    w.key("meaning");
    if (row != nullptr)
        w.plain_value(row->text);
    else
        w.null();
}

// The table's rows and headers as compact JSON members, written once: the
// text is plain ASCII (checked when the table loads), copied as it is.
struct TableJson {
    std::vector<const FieldMeaning*> rows;     // by FieldMeaning::index
    std::vector<std::string> row_own;          // "meaning", "status" (the row's) and "source"
    std::vector<std::string> row_undescribed;  // the same with status "value-undocumented"
    std::vector<std::string> headers;          // "header" to "source" of a group, by rank
};

std::string row_members(const FieldMeaning& row, std::string_view status) {
    std::string s;
    s.append(R"("meaning":")").append(row.text).append(R"(","status":")").append(status);
    s.append(R"(","source":)");
    if (row.source != nullptr)
        s.append("\"").append(row.source->url).append("\"");
    else
        s.append("null");
    return s;
}

const TableJson& table_json() {
    static const TableJson t = [] {
        TableJson t;
        for (std::size_t i = 0; const FieldMeaning* row = field_meaning_row(i); ++i) {
            t.rows.push_back(row);
            t.row_own.push_back(row_members(*row, status_name(row->status)));
            t.row_undescribed.push_back(row_members(*row, "value-undocumented"));
        }
        for (std::size_t rank = 0; const HeaderInfo* h = header_by_rank(rank); ++rank) {
            std::string s;
            s.append(R"("header":")").append(h->name).append(R"(","vendor":)");
            if (h->vendor.empty())
                s.append("null");
            else
                s.append("\"").append(h->vendor).append("\"");
            s.append(R"(,"about":")").append(h->about).append(R"(","status":")").append(status_name(h->status));
            s.append(R"(","source":)");
            if (h->source != nullptr)
                s.append("\"").append(h->source->url).append("\"");
            else
                s.append("null");
            t.headers.push_back(std::move(s));
        }
        return t;
    }();
    return t;
}

// "meaning", "status" and "source" of a row: its status, "value-undocumented"
// when `undescribed`, "undocumented" (and nulls) without a row.
void write_row(JsonWriter& w, const FieldMeaning* row, bool undescribed) {
    if (!w.pretty()) {
        const TableJson& t = table_json();
        if (row == nullptr) {
            w.raw_members(R"("meaning":null,"status":"undocumented","source":null)");
            return;
        }
        if (row->index < t.rows.size() && t.rows[row->index] == row) {
            w.raw_members(undescribed ? t.row_undescribed[row->index] : t.row_own[row->index]);
            return;
        }
    }
    write_meaning(w, row);
    std::string_view status = row == nullptr ? "undocumented"
                              : undescribed  ? "value-undocumented"
                                             : status_name(row->status);
    w.key("status").plain_value(status);
    write_source(w, row != nullptr ? row->source : nullptr);
}

// {"key", "value", "meaning", "status", "source"}: the value's row, else the
// key's; status "value-undocumented" when the table lists the key's values
// but not this one, "undocumented" when it has nothing.
void write_field(JsonWriter& w, const SecurityField& f) {
    w.begin_object().member("key", f.key).member("value", f.value);
    write_row(w, f.row(), f.meaning.enumerated && !f.value_described() && !f.value.empty());
    w.end_object();
}

void write_results(JsonWriter& w, const AuthenticationResults& a) {
    static const HeaderInfo* info = header_info("Authentication-Results");
    w.key("results").begin_array();
    for (std::size_t i = 0; i < a.results.size(); ++i) {
        const AuthResult& r = a.results[i];
        w.begin_object().member("method", r.method).member("result", r.result).member("comment", r.reason);
        w.key("properties").begin_object();
        for (const auto& [k, v] : r.properties) w.key(k).value(v);
        w.end_object();
        thread_local std::string summary;
        summary.clear();
        append_auth_summary(summary, r);
        w.member("summary", summary);
        FieldLookup m = info != nullptr ? result_meaning(*info, a, r) : FieldLookup{};
        write_row(w, m.best(), m.enumerated && m.value == nullptr);
        // A property the table explains: DMARC's action, composite auth's reason.
        w.key("details").begin_array();
        if (info != nullptr)
            for (const auto& [k, v] : r.properties) {
                if (!iequals(k, "reason") && !(iequals(k, "action") && r.method == "dmarc")) continue;
                SecurityField f{k, v, field_meaning(*info, k, v)};
                write_field(w, f);
            }
        w.end_array();
        w.end_object();
    }
    w.end_array();
}

// A group's object: its header's members, its values, its fields (worked
// out here: the section is decoded with deferred fields) and its results.
void write_group(JsonWriter& w, const SecurityGroup& g) {
    w.begin_object();
    if (const TableJson& t = table_json();
        !w.pretty() && g.info->rank < t.headers.size() && header_by_rank(g.info->rank) == g.info) {
        w.raw_members(t.headers[g.info->rank]);
    } else {
        w.key("header").plain_value(g.info->name);
        w.key("vendor");
        if (g.info->vendor.empty())
            w.null();
        else
            w.plain_value(g.info->vendor);
        w.key("about").plain_value(g.info->about).key("status").plain_value(status_name(g.info->status));
        write_source(w, g.info->source);
    }
    w.member("authserv_id", g.auth.authserv_id);
    w.key("raw").begin_array();
    for (auto r : g.raw) w.value(r);
    w.end_array();
    w.key("fields").begin_array();
    for (const auto& f : group_fields(g)) write_field(w, f);
    w.end_array();
    write_results(w, g.auth);
    w.end_object();
}

// The compact text of the groups of one value written lately, by header and
// value. Such a group's text follows from nothing else (its fields and
// results are decoded from that value, its header's members from the
// table), and a mailbox's filter stamps recur (the same verdicts, the same
// authentication results): kept the second time it is written, copied
// after. Direct-mapped, so bounded: kSlots values of at most kMaxValue
// bytes, texts of at most kMaxText.
class GroupMemo {
  public:
    static constexpr std::size_t kSlots = 256;
    static constexpr std::size_t kMaxValue = 4096;
    static constexpr std::size_t kMaxText = 16384;

    // The text of the group of that header and value, when kept.
    [[nodiscard]] std::string_view find(std::uint64_t h, std::size_t rank, std::string_view value) const {
        const Slot& s = slots_[h % kSlots];
        if (s.hash != h || s.rank != rank || s.value != value) return {};
        return s.text;
    }
    void keep(std::uint64_t h, std::size_t rank, std::string_view value, std::string_view text) {
        if (value.size() > kMaxValue || text.size() > kMaxText) return;
        Slot& s = slots_[h % kSlots];
        if (s.seen != h) {  // kept the second time it is written: most values are seen once
            s.seen = h;
            return;
        }
        s.hash = h;
        s.rank = rank;
        s.value.assign(value);
        s.text.assign(text);
    }

  private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint64_t seen = 0;  // the hash of the last value not kept
        std::size_t rank = static_cast<std::size_t>(-1);
        std::string value;
        std::string text;
    };
    std::array<Slot, kSlots> slots_;
};

void write_security(JsonWriter& w, const Trace& t) {
    // Decoded once for the whole record; a group's fields only when its
    // text is written rather than copied.
    SecurityReport s = decode_security(t.signals, SecurityDecode::deferred_fields, security_context(t));
    w.begin_object();
    w.key("groups").begin_array();
    for (const auto& g : s.groups) {
        if (w.pretty() || g.raw.size() != 1 || g.unchecked_spf || g.consumer_mailbox ||
            g.auth.signed_now) {  // (a meaning not of the value alone)
            write_group(w, g);
            continue;
        }
        thread_local GroupMemo memo;
        const std::uint64_t h = security_value_hash(g.info->rank, g.raw.front());
        if (std::string_view text = memo.find(h, g.info->rank, g.raw.front()); !text.empty()) {
            w.raw_value(text);
            continue;
        }
        const std::size_t start = w.position();
        write_group(w, g);
        std::string_view text = w.written_since(start);
        if (text.starts_with(',')) text.remove_prefix(1);
        memo.keep(h, g.info->rank, g.raw.front(), text);
    }
    w.end_array();
    w.key("arc");
    if (s.arc.sets.empty()) {
        w.null();
    } else {
        const ArcSet& newest = *s.arc.newest();
        static const HeaderInfo* seal = header_info("ARC-Seal");
        w.begin_object().member("validation", newest.cv);
        const FieldMeaning* row = newest.cv_meaning.best();
        w.key("meaning");
        if (row != nullptr)
            w.value(row->text);
        else
            w.null();
        write_source(w, row != nullptr ? row->source : (seal != nullptr ? seal->source : nullptr));
        w.key("sets").begin_array();
        for (const auto& set : s.arc.sets) {
            w.begin_object().member("instance", std::int64_t{set.instance});
            w.member("sealed_by", set.sealed_by).member("cv", set.cv);
            w.key("authserv_id");
            if (set.results && set.results->authserv_id)
                w.value(*set.results->authserv_id);
            else
                w.null();
            w.key("same_as");
            if (set.same_as_group) {
                const SecurityGroup& g = s.groups[*set.same_as_group];
                w.begin_object()
                    .member("header", g.info->name)
                    .member("authserv_id", g.auth.authserv_id)
                    .key("instance")
                    .null()
                    .end_object();
            } else if (set.same_as_set) {
                w.begin_object().member("header", std::string_view("ARC-Authentication-Results"));
                w.key("authserv_id").null().member("instance", std::int64_t{*set.same_as_set}).end_object();
            } else {
                w.null();
            }
            if (set.results && !set.same_as_group && !set.same_as_set) {
                write_results(w, *set.results);
            } else if (set.results) {
                // Said once, where same_as points; only what it lacks here.
                AuthenticationResults extra;
                for (std::size_t i : set.extra) {
                    extra.results.push_back(set.results->results[i]);
                }
                write_results(w, extra);
            } else {
                w.key("results").begin_array().end_array();
            }
            w.end_object();
        }
        w.end_array().end_object();
    }
    w.key("identifiers").begin_object();
    w.member("network_message_id", s.ids.network_message_id
                                       ? std::optional<std::string_view>(s.ids.network_message_id->value)
                                       : std::nullopt);
    w.member("tenant_id", s.ids.tenant_id ? std::optional<std::string_view>(s.ids.tenant_id->value) : std::nullopt);
    w.member("end_to_end_latency", s.ids.end_to_end_latency
                                       ? std::optional<std::string_view>(s.ids.end_to_end_latency->value)
                                       : std::nullopt);
    w.member("end_to_end_latency_ms", s.ids.end_to_end_latency_ms);
    w.member("message_trace", message_trace_command(t, s));
    w.end_object();
    w.end_object();
}

void write_recipients(JsonWriter& w, const std::vector<BounceRecipient>& recipients) {
    w.begin_array();
    for (const auto& x : recipients)
        w.begin_object()
            .member("address", x.address)
            .member("action", x.action)
            .member("status", x.status)
            .member("remote_mta", x.remote_mta)
            .member("diagnostic", x.diagnostic)
            .member("original_recipient", x.original)
            .member("last_attempt_server", x.last_attempt_server)
            .member("last_attempt_result", x.last_attempt_result)
            .member("last_attempt_date", x.last_attempt_date)
            .member("will_retry_until", x.will_retry_until)
            .end_object();
    w.end_array();
}

// A bounce, or a notification of success or delay: the same report, the
// bounce naming the server that refused, the notification its action.
void write_report(JsonWriter& w, const Bounce& b, bool notification) {
    const BounceReport& r = b.report;
    w.begin_object();
    w.member("kind", r.kind);
    if (notification) w.member("action", b.action);
    w.member("reporting_mta", r.reporting_mta);
    w.member("generating_server", r.generating_server).member("arrival_date", r.arrival_date);
    w.member("status", b.status);
    if (notification)
        w.member("remote_mta", b.server);
    else
        w.member("server", b.server);
    w.key("recipients");
    write_recipients(w, r.recipients);
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

namespace {

// The members up to the relay answer, one by one (a pretty record).
void write_head(JsonWriter& w, const Trace& t) {
    w.member("schema", std::int64_t{kJsonSchemaVersion});
    w.member("subject", t.subject);
    w.member("from", t.from);
    if (auto author = author_address(t)) w.member("author", *author);
    w.member("to", t.to);
    w.member("message_id", t.message_id);
    w.key("created");
    write_time(w, t.created);
    w.member("total_delay_s", t.total_delay_s);
    w.key("delay_from");
    if (t.delay_from.empty())
        w.null();
    else
        w.value(t.delay_from);
    w.key("clock").begin_array();
    for (const auto& c : t.clock) {
        w.begin_object().member("kind", c.kind);
        w.key("hop");
        if (c.hop > 0)
            w.value(std::int64_t{c.hop});
        else
            w.null();
        w.member("host", c.host).member("min_s", c.min_s).member("max_s", c.max_s);
        w.member("zone_sized", c.zone_sized).member("detail", c.detail).end_object();
    }
    w.end_array();
    w.key("origin").begin_object();
    const SenderSide origin = report_origin(t);
    w.member("host", origin.host).member("ip", origin.ip);
    w.member("role", "origin-device");
    w.end_object();
    w.key("relay");
    if (t.relay) {
        const RelayVerdict& r = *t.relay;
        w.begin_object();
        w.member("state", r.state).member("method", r.method).member("reason", r.reason);
        w.member("traversed", r.traversed);
        w.member("entry_hop", r.entry_hop ? std::optional<std::int64_t>(*r.entry_hop) : std::nullopt);
        w.member("host", r.host).member("ip", r.ip);
        w.member("tls", r.tls).member("tls_version", r.tls_version);
        w.key("connector");
        if (r.connector) {
            w.begin_object().member("name", r.connector->name).member("matched_by", r.connector->matched_by);
            w.key("not_ruled_out");
            write_strings(w, r.connector->not_ruled_out);
            w.key("evidence");
            write_strings(w, r.connector->evidence);
            w.end_object();
        } else {
            w.null();
        }
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
}

// A compact record's members up to the relay answer, after one room check.
void write_head_compact(JsonWriter& w, const Trace& t) {
    using J = JsonWriter;
    std::size_t bound = 24 * J::kRunSlack + escaped(t.subject) + escaped(t.from) + escaped(t.to) +
                        escaped(t.message_id) + J::max_escaped(t.delay_from.size());
    for (const auto& c : t.clock)
        bound += 8 * J::kRunSlack + J::max_escaped(c.kind.size()) + escaped(c.host) + J::max_escaped(c.detail.size());
    const SenderSide origin = report_origin(t);
    bound += escaped(origin.host) + escaped(origin.ip);
    const std::optional<std::string> author = author_address(t);
    bound += escaped(author);
    if (t.relay) {
        const RelayVerdict& r = *t.relay;
        bound += 24 * J::kRunSlack + J::max_escaped(r.state.size()) + J::max_escaped(r.method.size()) +
                 J::max_escaped(r.reason.size()) + escaped(r.host) + escaped(r.ip) + escaped(r.tls_version) +
                 escaped(r.matched_by) + escaped(r.evidence);
        if (r.connector)
            bound += escaped(r.connector->name) + escaped(r.connector->matched_by) +
                     escaped(r.connector->not_ruled_out) + escaped(r.connector->evidence);
        if (r.via) bound += J::max_escaped(r.via->org.size()) + J::max_escaped(r.via->product.size());
    }
    const std::optional<UtcText> created =
        t.created ? std::optional<UtcText>(format_utc_text(*t.created)) : std::nullopt;
    if (created) bound += J::max_escaped(created->len);
    J::Run x(w, bound);
    x.member("schema", std::int64_t{kJsonSchemaVersion});
    x.member("subject", t.subject).member("from", t.from);
    if (author) x.member("author", *author);
    x.member("to", t.to).member("message_id", t.message_id);
    if (created)
        x.member("created", created->view());
    else
        x.null("created");
    x.member("total_delay_s", t.total_delay_s);
    if (t.delay_from.empty())
        x.null("delay_from");
    else
        x.member("delay_from", t.delay_from);
    x.array("clock");
    for (const auto& c : t.clock) {
        x.object().member("kind", c.kind);
        if (c.hop > 0)
            x.member("hop", std::int64_t{c.hop});
        else
            x.null("hop");
        x.member("host", c.host).member("min_s", c.min_s).member("max_s", c.max_s);
        x.member("zone_sized", c.zone_sized).member("detail", c.detail).end_object();
    }
    x.end_array().object("origin");
    x.member("host", origin.host).member("ip", origin.ip);
    x.member("role", std::string_view("origin-device")).end_object();
    if (!t.relay) {
        x.null("relay");
        return;
    }
    const RelayVerdict& r = *t.relay;
    x.object("relay").member("state", r.state).member("method", r.method).member("reason", r.reason);
    x.member("traversed", r.traversed);
    x.member("entry_hop", r.entry_hop ? std::optional<std::int64_t>(*r.entry_hop) : std::nullopt);
    x.member("host", r.host).member("ip", r.ip);
    x.member("tls", r.tls).member("tls_version", r.tls_version);
    if (r.connector) {
        x.object("connector").member("name", r.connector->name).member("matched_by", r.connector->matched_by);
        x.array("not_ruled_out");
        for (const auto& n : r.connector->not_ruled_out) x.value(n);
        x.end_array().array("evidence");
        for (const auto& e : r.connector->evidence) x.value(e);
        x.end_array().end_object();
    } else {
        x.null("connector");
    }
    if (r.via)
        x.object("via").member("org", r.via->org).member("product", r.via->product).end_object();
    else
        x.null("via");
    x.member("matched_by", r.matched_by);
    x.array("evidence");
    for (const auto& e : r.evidence) x.value(e);
    x.end_array().end_object();
}

}  // namespace

void write_trace_members(JsonWriter& w, const Trace& t) {
    if (w.pretty())
        write_head(w, t);
    else
        write_head_compact(w, t);
    w.key("far_end");
    write_far_end(w, t.far_end);
    w.key("bounce");
    if (t.bounce)
        write_report(w, *t.bounce, false);
    else
        w.null();
    w.key("notification");
    if (t.notification)
        write_report(w, *t.notification, true);
    else
        w.null();
    w.member("input_kind", t.input_kind);
    w.key("orgs").begin_array();
    for (const auto& o : t.orgs) {
        w.begin_object()
            .member("org", o.org)
            .member("role", o.role)
            .member("first_hop", std::int64_t{o.first_hop})
            .member("last_hop", std::int64_t{o.last_hop})
            .member("service", o.service)
            .key("tenant");
        if (o.tenant) {
            w.begin_object().member("id", o.tenant->id);
            w.key("side");
            if (o.tenant->side)
                w.value(*o.tenant->side);
            else
                w.null();
            w.end_object();
        } else {
            w.null();
        }
        w.member("handover", o.handover).end_object();
    }
    w.end_array();
    w.key("hops").begin_array();
    for (const auto& h : t.hops) write_hop(w, h);
    w.end_array();
    w.key("x_received").begin_array();
    for (const auto& h : t.x_received) write_hop(w, h);
    w.end_array();
    w.key("security");
    write_security(w, t);
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
