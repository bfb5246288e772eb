#include "report/audit_record_reader.hh"

#include <simdjson.h>

#include <algorithm>

#include "parse/address.hh"
#include "report/trace_json.hh"

namespace hopscope {

namespace od = simdjson::ondemand;

struct AuditRecordReader::State {
    od::parser parser;
    std::string padded;  // the line and simdjson's padding
};

namespace {

struct NotARecord {
    std::string why;
};

std::optional<std::string> opt_string(od::value v) {
    if (v.is_null()) return std::nullopt;
    return std::string(std::string_view(v.get_string()));
}

std::optional<std::int64_t> opt_int(od::value v) {
    if (v.is_null()) return std::nullopt;
    return std::int64_t(v.get_int64());
}

std::optional<bool> opt_bool(od::value v) {
    if (v.is_null()) return std::nullopt;
    return bool(v.get_bool());
}

std::uint64_t count(od::value v) {
    std::int64_t n = v.get_int64();
    if (n < 0) throw NotARecord{"a negative index or offset"};
    return static_cast<std::uint64_t>(n);
}

// The role as audit_roles()' own text (the summary keeps views of it).
std::string_view known_role(std::string_view role) {
    for (const auto& r : audit_roles())
        if (r == role) return r;
    throw NotARecord{"unknown role '" + std::string(role.substr(0, 40)) + "'"};
}

void append_kind(std::optional<std::string>& list, std::string_view kind, std::optional<std::int64_t> hop) {
    std::string item(kind);
    if (hop) item += "@" + std::to_string(*hop);
    list = list ? *list + ";" + item : item;
}

// What a hop of the record says that the figures need.
struct ReadHop {
    std::optional<std::int64_t> index;
    std::optional<std::int64_t> delay;
    std::string_view role;
    std::optional<std::string> by;    // by-host, else by-address
    std::optional<std::string> from;  // from-host
    std::optional<std::string> from_ip;
    std::optional<std::string> with;
    std::optional<std::string> time;
};

void read_hops(od::array hops, ReadRecord& r, std::vector<std::optional<std::int64_t>>& role_sums,
               std::optional<std::string>& hop_anomalies, std::vector<ReadHop>& out) {
    const auto& roles = audit_roles();
    for (auto element : hops) {
        od::object hop = element.get_object();
        ReadHop h;
        h.role = roles.back();
        std::vector<std::string> kinds;
        for (auto field : hop) {
            std::string_view key = field.unescaped_key();
            if (key == "index") {
                h.index = std::int64_t(field.value().get_int64());
            } else if (key == "delay_s") {
                h.delay = opt_int(field.value());
            } else if (key == "role") {
                h.role = known_role(std::string_view(field.value().get_string()));
            } else if (key == "time") {
                h.time = opt_string(field.value());
            } else if (key == "from") {
                od::object from;
                if (field.value().get_object().get(from) == simdjson::SUCCESS) {
                    for (auto ff : from) {
                        std::string_view fk = ff.unescaped_key();  // read once: ondemand moves past it
                        if (fk == "host")
                            h.from = opt_string(ff.value());
                        else if (fk == "ip")
                            h.from_ip = opt_string(ff.value());
                    }
                }
            } else if (key == "with") {
                h.with = opt_string(field.value());
            } else if (key == "by") {
                std::optional<std::string> host, ip;
                for (auto bf : field.value().get_object()) {
                    std::string_view bk = bf.unescaped_key();
                    if (bk == "host") host = opt_string(bf.value());
                    if (bk == "ip") ip = opt_string(bf.value());
                }
                h.by = host ? host : ip;
            } else if (key == "anomalies") {
                for (auto a : field.value().get_array())
                    kinds.emplace_back(std::string_view(a.get_object()["kind"].get_string()));
            }
        }
        ++r.row.hops;
        for (const auto& k : kinds) {
            append_kind(hop_anomalies, k, h.index);
            if (k == "clock-skew") ++r.figures.clock_skew;
            if (k == "unparsable-date") ++r.figures.unparsable_dates;
        }
        if (h.delay) {
            r.figures.delays.push_back({h.role, *h.delay, static_cast<int>(h.index.value_or(0))});
            auto at = static_cast<std::size_t>(std::find(roles.begin(), roles.end(), h.role) - roles.begin());
            role_sums[at] = role_sums[at].value_or(0) + *h.delay;
        }
        out.push_back(std::move(h));
    }
}

// What the record's relay member says.
struct ReadRelay {
    std::optional<std::int64_t> entry_hop;
    std::optional<std::string> host;
};

void read_relay(od::object relay, ReadRecord& r, ReadRelay& out) {
    for (auto rf : relay) {
        std::string_view rk = rf.unescaped_key();
        if (rk == "traversed") {
            r.row.traversed = bool(rf.value().get_bool());
        } else if (rk == "state") {
            std::string_view state = rf.value().get_string();
            r.figures.state = relay_state_text(state);
            if (r.figures.state.empty())
                throw NotARecord{"unknown relay state '" + std::string(state.substr(0, 40)) + "'"};
            r.row.state = std::string(state);
        } else if (rk == "method") {
            r.row.method = std::string(std::string_view(rf.value().get_string()));
        } else if (rk == "reason") {
            r.row.reason = std::string(std::string_view(rf.value().get_string()));
        } else if (rk == "entry_hop") {
            out.entry_hop = opt_int(rf.value());
        } else if (rk == "host") {
            out.host = opt_string(rf.value());
        } else if (rk == "ip") {
            r.row.relay_ip = opt_string(rf.value());
        } else if (rk == "tls") {
            r.row.relay_tls = opt_bool(rf.value());
        } else if (rk == "tls_version") {
            r.row.tls_version = opt_string(rf.value());
        } else if (rk == "connector") {
            if (rf.value().is_null()) continue;
            for (auto cf : rf.value().get_object())
                if (std::string_view(cf.unescaped_key()) == "name") r.row.connector = opt_string(cf.value());
        }
    }
}

// The zone-sized gaps of the record's clock member, by hop.
void read_clock(od::array clock, std::vector<std::int64_t>& zone_gaps) {
    for (auto element : clock) {
        std::optional<std::int64_t> hop;
        bool zone_gap = false;
        for (auto cf : element.get_object()) {
            std::string_view ck = cf.unescaped_key();
            if (ck == "kind") zone_gap = std::string_view(cf.value().get_string()) == "zone-sized-gap";
            if (ck == "hop") hop = opt_int(cf.value());
        }
        if (zone_gap && hop) zone_gaps.push_back(*hop);
    }
}

ReadRecord read_record(od::document& doc) {
    ReadRecord r;
    bool schema_seen = false;
    bool source_seen = false;
    std::optional<std::string> hop_anomalies;
    std::vector<std::optional<std::int64_t>> role_sums(audit_roles().size());
    std::optional<std::string> from;
    std::optional<std::string> author;  // where a list rewrote From
    std::optional<std::string> delay_from;
    std::vector<ReadHop> hops;
    std::vector<std::int64_t> zone_gaps;
    ReadRelay relay;
    bool has_relay = false;
    for (auto field : doc.get_object()) {
        std::string_view key = field.unescaped_key();
        od::value v = field.value();
        if (key == "schema") {
            std::int64_t schema = v.get_int64();
            if (schema != kJsonSchemaVersion)
                throw NotARecord{"schema " + std::to_string(schema) + ", this hopscope reads schema " +
                                 std::to_string(kJsonSchemaVersion)};
            schema_seen = true;
        } else if (key == "subject") {
            r.row.subject = opt_string(v);
        } else if (key == "from") {
            from = opt_string(v);
        } else if (key == "author") {
            author = opt_string(v);
        } else if (key == "message_id") {
            r.row.message_id = opt_string(v);
        } else if (key == "created") {
            r.row.date = opt_string(v);
        } else if (key == "delay_from") {
            delay_from = opt_string(v);
        } else if (key == "total_delay_s") {
            r.row.total_delay_s = opt_int(v);
        } else if (key == "clock") {
            read_clock(v.get_array(), zone_gaps);
        } else if (key == "origin") {
            for (auto of : v.get_object()) {
                std::string_view ok = of.unescaped_key();
                if (ok == "ip") r.row.origin_ip = opt_string(of.value());
                if (ok == "host") r.row.origin_host = opt_string(of.value());
            }
        } else if (key == "relay") {
            if (v.is_null()) continue;
            has_relay = true;
            read_relay(v.get_object(), r, relay);
        } else if (key == "bounce") {
            if (v.is_null()) continue;
            r.figures.bounce = true;
            for (auto bf : v.get_object()) {
                std::string_view bk = bf.unescaped_key();
                if (bk == "status")
                    r.row.bounce_status = opt_string(bf.value());
                else if (bk == "server")
                    r.row.bounce_server = opt_string(bf.value());
                else if (bk == "explanation")
                    r.figures.bounce_explanation = opt_string(bf.value());
            }
        } else if (key == "notification") {
            if (v.is_null()) continue;
            for (auto nf : v.get_object()) {
                std::string_view nk = nf.unescaped_key();
                if (nk == "action") r.row.notification_action = opt_string(nf.value());
            }
        } else if (key == "anomalies") {
            for (auto a : v.get_array())
                append_kind(r.row.anomalies, std::string_view(a.get_object()["kind"].get_string()), std::nullopt);
        } else if (key == "hops") {
            read_hops(v.get_array(), r, role_sums, hop_anomalies, hops);
        } else if (key == "source") {
            for (auto sf : v.get_object()) {
                std::string_view sk = sf.unescaped_key();
                if (sk == "path")
                    r.path = std::string(std::string_view(sf.value().get_string()));
                else if (sk == "offset")
                    r.offset = sf.value().is_null() ? std::nullopt : std::optional<std::uint64_t>(count(sf.value()));
                else if (sk == "index")
                    r.index = sf.value().is_null() ? std::nullopt : std::optional<std::uint64_t>(count(sf.value()));
                else if (sk == "folder")
                    r.folder = std::string(std::string_view(sf.value().get_string()));
                else if (sk == "item")
                    r.item = static_cast<std::uint32_t>(count(sf.value()));
            }
            source_seen = true;
        } else if (key == "error") {
            r.error = opt_string(v);
        } else if (key == "skipped") {
            r.skipped = opt_string(v);
        }
    }
    if (!schema_seen) throw NotARecord{"no \"schema\" member"};
    if (!source_seen) throw NotARecord{"no \"source\" member (a trace, not an audit record?)"};
    if (r.error && r.skipped) throw NotARecord{"both \"error\" and \"skipped\""};
    // Trace-wide anomalies come first in the CSV column, then each hop's.
    if (hop_anomalies) r.row.anomalies = r.row.anomalies ? *r.row.anomalies + ";" + *hop_anomalies : hop_anomalies;
    const bool analysed = !r.error && !r.skipped;
    if (author && analysed)
        r.row.from_address = author;
    else if (from && analysed)
        r.row.from_address = first_addr_spec(*from);
    r.row.analysed = analysed;
    r.row.role_delays = std::move(role_sums);
    r.figures.analysed = analysed;
    r.figures.error = r.error;
    r.figures.skipped = r.skipped;
    r.figures.traversed = r.row.traversed;
    r.figures.method = r.row.method.value_or("");
    r.figures.reason = r.row.reason.value_or("");
    r.figures.message_id = r.row.message_id;
    r.figures.bounce_status = r.row.bounce_status;
    r.figures.notification_action = r.row.notification_action;
    for (auto& d : r.figures.delays)
        d.zone_gap = std::find(zone_gaps.begin(), zone_gaps.end(), d.hop_index) != zone_gaps.end();
    if (analysed) {
        std::optional<std::string> first;
        for (const auto& h : hops)
            if (h.time) {
                first = h.time;
                break;
            }
        r.figures.seen = message_time(r.row.date, delay_from.value_or(""), first);
        SenderFigures s;
        s.origin_ip = r.row.origin_ip;
        s.origin_host = r.row.origin_host;
        s.from_address = r.row.from_address;
        const std::optional<int> entry =
            relay.entry_hop ? std::optional<int>(static_cast<int>(*relay.entry_hop)) : std::nullopt;
        for (const auto& h : hops) {
            if (!h.by || !is_sender_relay(h.role, static_cast<int>(h.index.value_or(0)), entry, *h.by, h.from,
                                          h.from_ip, h.with, s.origin_host))
                continue;
            if (std::find(s.relays.begin(), s.relays.end(), *h.by) == s.relays.end()) s.relays.push_back(*h.by);
        }
        if (has_relay) {
            const bool entered = entered_from_outside(entry, r.row.method.value_or(""));
            if (entered) s.eop_from = r.row.relay_ip ? r.row.relay_ip : relay.host;
            s.tls_into_eop = eop_tls_words(entered, r.row.tls_version, r.row.relay_tls);
            s.connector = r.row.connector;
        }
        r.figures.sender = std::move(s);
    }
    return r;
}

}  // namespace

std::string describe_json_document(std::string_view text) {
    const std::string unknown = "a JSON document";
    try {
        od::parser parser;
        simdjson::padded_string padded(text);
        auto doc = parser.iterate(padded);
        od::object top = doc.get_object();
        bool hops = false;
        bool source = false;
        for (auto field : top) {
            std::string_view key = field.unescaped_key();
            if (key == "kind") {
                std::string_view kind = field.value().get_string();
                if (kind == "audit-summary") return "an audit summary (hopscope audit --format json)";
            }
            hops = hops || key == "hops";
            source = source || key == "source";
        }
        if (source) return "an audit record printed over several lines";
        if (hops) return "a trace (hopscope trace --format json)";
    } catch (const simdjson::simdjson_error&) {
    }
    return unknown;
}

AuditRecordReader::AuditRecordReader() : state_(std::make_unique<State>()) {}
AuditRecordReader::~AuditRecordReader() = default;

Result<ReadRecord> AuditRecordReader::read(std::string_view line) {
    State& s = *state_;
    s.padded.assign(line);
    s.padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
    try {
        auto doc = s.parser.iterate(s.padded.data(), line.size(), s.padded.size());
        return read_record(doc.value());
    } catch (const simdjson::simdjson_error& e) {
        return make_error(std::string("not a JSON audit record: ") + e.what());
    } catch (const NotARecord& e) {
        return make_error("not a hopscope audit record: " + e.why);
    }
}

}  // namespace hopscope
