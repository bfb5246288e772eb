#include "report/audit_summary.hh"

#include <algorithm>
#include <cmath>

#include "report/display_text.hh"
#include "report/json_writer.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"

namespace hopscope {
namespace {}  // namespace

AuditSummary::Percentiles AuditSummary::percentiles(const std::map<std::int64_t, std::uint64_t>& counts) {
    Percentiles p;
    for (const auto& [delay, n] : counts) p.hops += n;
    if (p.hops == 0) return p;
    auto at = [&](double q) {
        auto rank = static_cast<std::uint64_t>(std::lround(q * static_cast<double>(p.hops - 1)));
        std::uint64_t seen = 0;
        for (const auto& [delay, n] : counts) {
            seen += n;
            if (seen > rank) return delay;
        }
        return counts.rbegin()->first;
    };
    p.p50 = at(0.5);
    p.p90 = at(0.9);
    p.p99 = at(0.99);
    p.max = counts.rbegin()->first;
    return p;
}

std::vector<std::pair<std::string, const AuditSummary::Bounces*>> AuditSummary::bounces_by_count() const {
    std::vector<std::pair<std::string, const Bounces*>> by_count;
    for (const auto& [status, b] : bounces_) by_count.emplace_back(status, &b);
    std::stable_sort(by_count.begin(), by_count.end(),
                     [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
    return by_count;
}

void AuditSummary::keep_first(std::vector<Listed>& list, Listed item) {
    if (list.size() >= kListed && !(item.where < list.back().where)) return;
    auto at = std::upper_bound(list.begin(), list.end(), item.where,
                               [](const Where& w, const Listed& l) { return w < l.where; });
    list.insert(at, std::move(item));
    if (list.size() > kListed) list.pop_back();
}

std::string AuditSummary::where_text(const Where& w) {
    if (w.offset) return w.path + " (offset " + std::to_string(*w.offset) + ")";
    return w.path + " #" + std::to_string(w.index);
}

void AuditSummary::add(const AuditFigures& f, const MessageSource& s) {
    ++messages_;
    auto it = sources_.find(s.path);
    if (it == sources_.end()) it = sources_.emplace(std::string(s.path), PerSource{}).first;
    PerSource& src = it->second;
    ++src.messages;
    auto where = [&] { return Where{std::string(s.path), s.index.value_or(0), s.offset, s.item.has_value()}; };
    if (!f.analysed) {
        ++failed_;
        ++src.failed;
        keep_first(failures_, {where(), f.error.value_or("?")});
        return;
    }
    ++analysed_;
    if (f.traversed)
        ++traversed_;
    else
        keep_first(bypassed_, {where(), f.message_id});
    if (f.bounce) {
        Bounces& b = bounces_[f.bounce_status.value_or("no status")];
        ++b.count;
        // The same status has the same explanation; the smallest text keeps it order-free all the same.
        if (f.bounce_explanation && (b.explanation.empty() || *f.bounce_explanation < b.explanation))
            b.explanation = *f.bounce_explanation;
    }
    clock_skew_ += static_cast<std::uint64_t>(f.clock_skew);
    unparsable_ += static_cast<std::uint64_t>(f.unparsable_dates);
    auto slower = [](const Slow& a, const Slow& b) {
        if (a.delay != b.delay) return a.delay > b.delay;
        if (a.where != b.where) return a.where < b.where;
        return a.hop < b.hop;
    };
    for (const auto& d : f.delays) {
        auto role = delays_.find(d.role);
        if (role == delays_.end())
            role = delays_.emplace(std::string(d.role), std::map<std::int64_t, std::uint64_t>{}).first;
        ++role->second[d.delay_s];
        if (slowest_.size() >= kSlowest && d.delay_s < slowest_.back().delay) continue;
        Slow item{d.delay_s, std::string(d.role), where(), d.hop_index};
        if (slowest_.size() >= kSlowest && !slower(item, slowest_.back())) continue;
        slowest_.insert(std::upper_bound(slowest_.begin(), slowest_.end(), item, slower), std::move(item));
        if (slowest_.size() > kSlowest) slowest_.pop_back();
    }
}

void AuditSummary::add_unopened(const std::string& path, const std::string& why) {
    unopened_.push_back(why.empty() ? path : path + ": " + why);
}

std::string AuditSummary::render() const {
    std::string out;
    out += "Messages   " + std::to_string(messages_) + " read, " + std::to_string(analysed_) + " analysed, " +
           std::to_string(failed_) + " failed\n";
    if (!unopened_.empty()) out += "Unopened   " + std::to_string(unopened_.size()) + " input(s)\n";
    out += "Relay      " + std::to_string(traversed_) + " traversed, " + std::to_string(analysed_ - traversed_) +
           " not traversed\n";
    out += "Dates      " + std::to_string(clock_skew_) + " hops with clock skew, " + std::to_string(unparsable_) +
           " unparsable dates\n";

    out += "\nDelay per role (seconds)   hops      p50      p90      p99      max\n";
    auto num = [](std::int64_t n, std::size_t w) { return pad(std::to_string(n), w, true); };
    for (const auto& role : audit_roles()) {
        auto it = delays_.find(role);
        if (it == delays_.end()) continue;
        Percentiles p = percentiles(it->second);
        out += "  " + pad(role, 24) + num(static_cast<std::int64_t>(p.hops), 6) + num(p.p50, 9) + num(p.p90, 9) +
               num(p.p99, 9) + num(p.max, 9) + "\n";
    }
    if (!slowest_.empty()) {
        out += "\nSlowest hops\n";
        for (const auto& s : slowest_)
            out += "  " + pad(format_duration(s.delay), 12, true) + "  " + pad(s.role, 22) +
                   escape_for_terminal(where_text(s.where) + " hop " + std::to_string(s.hop)) + "\n";
    }
    if (!bounces_.empty()) {
        const auto by_count = bounces_by_count();
        std::uint64_t total = 0;
        for (const auto& [status, b] : bounces_) total += b.count;
        out += "\nBounces (" + std::to_string(total) + ")\n";
        for (const auto& [status, b] : by_count)
            out += "  " + pad(std::to_string(b->count), 8, true) + "  " + pad(escape_for_terminal(status), 9) + " " +
                   escape_for_terminal(b->explanation.empty() ? "-" : b->explanation) + "\n";
    }
    if (analysed_ > traversed_) {
        out += "\nNot through the relay (" + std::to_string(analysed_ - traversed_) + ")\n";
        for (const auto& b : bypassed_)
            out += "  " + escape_for_terminal(where_text(b.where) + (b.text ? " " + *b.text : "")) + "\n";
        if (analysed_ - traversed_ > bypassed_.size())
            out +=
                "  ... and " + std::to_string(analysed_ - traversed_ - bypassed_.size()) + " more (use --format csv)\n";
    }
    if (!failures_.empty()) {
        out += "\nFailed\n";
        for (const auto& f : failures_)
            out += "  " + escape_for_terminal(where_text(f.where) + ": " + f.text.value_or("?")) + "\n";
    }
    for (const auto& u : unopened_) out += "  unopened: " + escape_for_terminal(u) + "\n";
    out += "\nPer source\n";
    for (const auto& [path, s] : sources_)
        out += "  " + pad(std::to_string(s.messages), 8, true) + " messages" +
               (s.failed ? ", " + std::to_string(s.failed) + " failed" : std::string()) + "  " +
               escape_for_terminal(path) + "\n";
    return out;
}

std::string AuditSummary::render_json() const {
    JsonWriter w(true);
    auto count = [](std::uint64_t n) { return static_cast<std::int64_t>(n); };
    auto source = [&](const Where& at) {
        w.key("source").begin_object().member("path", at.path).key("offset");
        if (at.offset)  // an mbox message: known by its offset
            w.value(count(*at.offset)).key("index").null();
        else
            w.null().member("index", count(at.index));
        w.end_object();
    };
    w.begin_object();
    w.member("schema", std::int64_t{kJsonSchemaVersion}).member("kind", "audit-summary");
    w.member("messages", count(messages_)).member("analysed", count(analysed_)).member("failed", count(failed_));
    w.member("traversed", count(traversed_)).member("not_traversed", count(analysed_ - traversed_));
    w.member("clock_skew_hops", count(clock_skew_)).member("unparsable_dates", count(unparsable_));
    w.key("delays").begin_array();
    for (const auto& role : audit_roles()) {
        auto it = delays_.find(role);
        if (it == delays_.end()) continue;
        Percentiles p = percentiles(it->second);
        w.begin_object().member("role", role).member("hops", count(p.hops));
        w.member("p50", p.p50).member("p90", p.p90).member("p99", p.p99).member("max", p.max).end_object();
    }
    w.end_array();
    w.key("slowest").begin_array();
    for (const auto& s : slowest_) {
        w.begin_object().member("delay_s", s.delay).member("role", s.role);
        source(s.where);
        w.member("hop", std::int64_t{s.hop}).end_object();
    }
    w.end_array();
    w.key("bounces").begin_array();
    const auto by_count = bounces_by_count();
    for (const auto& [status, b] : by_count) {
        w.begin_object().member("status", status).member("count", count(b->count));
        w.member("explanation", b->explanation.empty() ? std::nullopt : std::optional<std::string>(b->explanation));
        w.end_object();
    }
    w.end_array();
    w.key("not_traversed_listed").begin_array();
    for (const auto& b : bypassed_) {
        w.begin_object();
        source(b.where);
        w.member("message_id", b.text).end_object();
    }
    w.end_array();
    w.key("failures").begin_array();
    for (const auto& f : failures_) {
        w.begin_object();
        source(f.where);
        w.member("error", f.text).end_object();
    }
    w.end_array();
    w.key("unopened").begin_array();
    for (const auto& u : unopened_) w.value(u);
    w.end_array();
    w.key("sources").begin_array();
    for (const auto& [path, s] : sources_)
        w.begin_object()
            .member("path", path)
            .member("messages", count(s.messages))
            .member("failed", count(s.failed))
            .end_object();
    w.end_array();
    w.end_object();
    return w.take() + "\n";
}

}  // namespace hopscope
