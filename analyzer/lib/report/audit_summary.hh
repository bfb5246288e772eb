// What `audit --format text` prints: counts, relay traversal, delay per role
// (p50/p90/p99/max), the slowest hops, date problems, per-source counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "report/audit_record.hh"

namespace hopscope {

class AuditSummary {
  public:
    void add(const AuditFigures& f, const MessageSource& s);
    void add_unopened(const std::string& path, const std::string& why);
    [[nodiscard]] std::string render() const;

    [[nodiscard]] std::uint64_t messages() const { return messages_; }
    [[nodiscard]] std::uint64_t failed() const { return failed_; }
    [[nodiscard]] std::uint64_t not_traversed() const { return analysed_ - traversed_; }

  private:
    struct Slow {
        std::int64_t delay;
        std::string_view role;  // static text, as Hop::role
        std::string where;
    };
    struct PerSource {
        std::uint64_t messages = 0;
        std::uint64_t failed = 0;
    };
    static constexpr std::size_t kListed = 50;
    std::uint64_t messages_ = 0;
    std::uint64_t analysed_ = 0;
    std::uint64_t failed_ = 0;
    std::uint64_t traversed_ = 0;
    std::uint64_t clock_skew_ = 0;
    std::uint64_t unparsable_ = 0;
    std::vector<std::string> bypassed_;
    std::vector<std::string> failures_;
    std::map<std::string_view, std::vector<std::int64_t>> delays_;  // by role (static text)
    std::vector<Slow> slowest_;
    std::map<std::string, PerSource, std::less<>> sources_;
    std::vector<std::string> unopened_;
    struct Bounces {
        std::uint64_t count = 0;
        std::string explanation;
    };
    std::map<std::string, Bounces> bounces_;  // by status ("5.7.64"; "no status" when the report gives none)
};

}  // namespace hopscope
