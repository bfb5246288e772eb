#include "report/audit_summary.hh"

#include <algorithm>
#include <cmath>

#include "report/display_text.hh"
#include "report/text_report.hh"

namespace hopscope {
namespace {

constexpr std::size_t kSlowest = 10;

std::string where(const MessageSource& s) {
    std::string w = std::string(s.path) + " #" + std::to_string(s.index);
    if (s.offset) w += " (offset " + std::to_string(*s.offset) + ")";
    return w;
}

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto k = static_cast<std::size_t>(std::lround(p * static_cast<double>(sorted.size() - 1)));
    return sorted[std::min(k, sorted.size() - 1)];
}

}  // namespace

void AuditSummary::add(const AuditFigures& f, const MessageSource& s) {
    ++messages_;
    auto it = sources_.find(s.path);
    if (it == sources_.end()) it = sources_.emplace(std::string(s.path), PerSource{}).first;
    PerSource& src = it->second;
    ++src.messages;
    if (!f.analysed) {
        ++failed_;
        ++src.failed;
        if (failures_.size() < kListed) failures_.push_back(where(s) + ": " + f.error.value_or("?"));
        return;
    }
    ++analysed_;
    if (f.traversed)
        ++traversed_;
    else if (bypassed_.size() < kListed)
        bypassed_.push_back(where(s) + (f.message_id ? " " + *f.message_id : ""));
    if (f.bounce) {
        Bounces& b = bounces_[f.bounce_status.value_or("no status")];
        ++b.count;
        if (b.explanation.empty() && f.bounce_explanation) b.explanation = *f.bounce_explanation;
    }
    clock_skew_ += static_cast<std::uint64_t>(f.clock_skew);
    unparsable_ += static_cast<std::uint64_t>(f.unparsable_dates);
    for (const auto& d : f.delays) {
        delays_[d.role].push_back(d.delay_s);
        if (slowest_.size() < kSlowest || d.delay_s > slowest_.back().delay) {
            slowest_.push_back({d.delay_s, d.role, where(s) + " hop " + std::to_string(d.hop_index)});
            std::sort(slowest_.begin(), slowest_.end(), [](const Slow& a, const Slow& b) { return a.delay > b.delay; });
            if (slowest_.size() > kSlowest) slowest_.pop_back();
        }
    }
}

void AuditSummary::add_unopened(const std::string& path, const std::string& why) {
    unopened_.push_back(path + ": " + why);
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
    for (const auto& role : audit_roles()) {
        auto it = delays_.find(role);
        if (it == delays_.end()) continue;
        std::vector<std::int64_t> v = it->second;
        std::sort(v.begin(), v.end());
        auto num = [](std::int64_t n, std::size_t w) { return pad(std::to_string(n), w, true); };
        out += "  " + pad(role, 24) + num(static_cast<std::int64_t>(v.size()), 6) + num(percentile(v, 0.5), 9) +
               num(percentile(v, 0.9), 9) + num(percentile(v, 0.99), 9) + num(v.back(), 9) + "\n";
    }
    if (!slowest_.empty()) {
        out += "\nSlowest hops\n";
        for (const auto& s : slowest_)
            out += "  " + pad(format_duration(s.delay), 12, true) + "  " + pad(s.role, 22) +
                   escape_for_terminal(s.where) + "\n";
    }
    if (!bounces_.empty()) {
        // The commonest first, so 312 scanner mails refused with 5.7.64 head the list.
        std::vector<std::pair<std::string, const Bounces*>> by_count;
        for (const auto& [status, b] : bounces_) by_count.emplace_back(status, &b);
        std::stable_sort(by_count.begin(), by_count.end(),
                         [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
        std::uint64_t total = 0;
        for (const auto& [status, b] : bounces_) total += b.count;
        out += "\nBounces (" + std::to_string(total) + ")\n";
        for (const auto& [status, b] : by_count)
            out += "  " + pad(std::to_string(b->count), 8, true) + "  " + pad(escape_for_terminal(status), 9) + " " +
                   escape_for_terminal(b->explanation.empty() ? "-" : b->explanation) + "\n";
    }
    if (analysed_ > traversed_) {
        out += "\nNot through the relay (" + std::to_string(analysed_ - traversed_) + ")\n";
        for (const auto& b : bypassed_) out += "  " + escape_for_terminal(b) + "\n";
        if (analysed_ - traversed_ > bypassed_.size())
            out +=
                "  ... and " + std::to_string(analysed_ - traversed_ - bypassed_.size()) + " more (use --format csv)\n";
    }
    if (!failures_.empty()) {
        out += "\nFailed\n";
        for (const auto& f : failures_) out += "  " + escape_for_terminal(f) + "\n";
    }
    for (const auto& u : unopened_) out += "  unopened: " + escape_for_terminal(u) + "\n";
    out += "\nPer source\n";
    for (const auto& [path, s] : sources_)
        out += "  " + pad(std::to_string(s.messages), 8, true) + " messages" +
               (s.failed ? ", " + std::to_string(s.failed) + " failed" : std::string()) + "  " +
               escape_for_terminal(path) + "\n";
    return out;
}

}  // namespace hopscope
