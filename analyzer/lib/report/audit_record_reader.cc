#include "report/audit_record_reader.hh"

#include <simdjson.h>

#include <algorithm>

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

void read_hops(od::array hops, ReadRecord& r, std::vector<std::optional<std::int64_t>>& role_sums,
               std::optional<std::string>& hop_anomalies) {
    const auto& roles = audit_roles();
    for (auto element : hops) {
        od::object hop = element.get_object();
        std::optional<std::int64_t> index;
        std::optional<std::int64_t> delay;
        std::string_view role = roles.back();
        std::vector<std::string> kinds;
        for (auto field : hop) {
            std::string_view key = field.unescaped_key();
            if (key == "index")
                index = std::int64_t(field.value().get_int64());
            else if (key == "delay_s")
                delay = opt_int(field.value());
            else if (key == "role")
                role = known_role(std::string_view(field.value().get_string()));
            else if (key == "anomalies")
                for (auto a : field.value().get_array())
                    kinds.emplace_back(std::string_view(a.get_object()["kind"].get_string()));
        }
        ++r.row.hops;
        for (const auto& k : kinds) {
            append_kind(hop_anomalies, k, index);
            if (k == "clock-skew") ++r.figures.clock_skew;
            if (k == "unparsable-date") ++r.figures.unparsable_dates;
        }
        if (delay) {
            r.figures.delays.push_back({role, *delay, static_cast<int>(index.value_or(0))});
            auto at = static_cast<std::size_t>(std::find(roles.begin(), roles.end(), role) - roles.begin());
            role_sums[at] = role_sums[at].value_or(0) + *delay;
        }
    }
}

ReadRecord read_record(od::document& doc) {
    ReadRecord r;
    bool schema_seen = false;
    bool source_seen = false;
    std::optional<std::string> hop_anomalies;
    std::vector<std::optional<std::int64_t>> role_sums(audit_roles().size());
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
        } else if (key == "message_id") {
            r.row.message_id = opt_string(v);
        } else if (key == "created") {
            r.row.date = opt_string(v);
        } else if (key == "total_delay_s") {
            r.row.total_delay_s = opt_int(v);
        } else if (key == "origin") {
            r.row.origin_ip = opt_string(v.get_object()["ip"]);
        } else if (key == "relay") {
            if (v.is_null()) continue;
            for (auto rf : v.get_object()) {
                std::string_view rk = rf.unescaped_key();
                if (rk == "traversed")
                    r.row.traversed = bool(rf.value().get_bool());
                else if (rk == "ip")
                    r.row.relay_ip = opt_string(rf.value());
                else if (rk == "tls")
                    r.row.relay_tls = opt_bool(rf.value());
            }
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
        } else if (key == "anomalies") {
            for (auto a : v.get_array())
                append_kind(r.row.anomalies, std::string_view(a.get_object()["kind"].get_string()), std::nullopt);
        } else if (key == "hops") {
            read_hops(v.get_array(), r, role_sums, hop_anomalies);
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
        }
    }
    if (!schema_seen) throw NotARecord{"no \"schema\" member"};
    if (!source_seen) throw NotARecord{"no \"source\" member (a trace, not an audit record?)"};
    // Trace-wide anomalies come first in the CSV column, then each hop's.
    if (hop_anomalies) r.row.anomalies = r.row.anomalies ? *r.row.anomalies + ";" + *hop_anomalies : hop_anomalies;
    r.row.analysed = !r.error;
    r.row.role_delays = std::move(role_sums);
    r.figures.analysed = !r.error;
    r.figures.error = r.error;
    r.figures.traversed = r.row.traversed;
    r.figures.message_id = r.row.message_id;
    r.figures.bounce_status = r.row.bounce_status;
    return r;
}

}  // namespace

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
