// What `audit --format text|json` prints: counts, relay traversal, delay per
// role (p50/p90/p99/max), the slowest hops, bounces by status, the messages
// that did not traverse, failures, per-source counts.
//
// The summary depends only on the set of messages added, never on their
// order: lists keep the first entries by path and place (an mbox message's
// offset, another's index), ties in delay are broken the same way, and
// delays are counted per value. So one audit of
// everything and `summarize` over shards of it, in any order, print the
// same bytes; and memory grows with distinct delays, not with messages.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "report/audit_record.hh"

namespace hopscope {

class AuditSummary {
  public:
    void add(const AuditFigures& f, const MessageSource& s);
    void add_unopened(const std::string& path, const std::string& why);
    [[nodiscard]] std::string render() const;       // text
    [[nodiscard]] std::string render_json() const;  // one JSON object and a newline
    [[nodiscard]] std::string render_html() const;  // a self-contained page (audit_summary_html.cc)

    [[nodiscard]] std::uint64_t messages() const { return messages_; }
    [[nodiscard]] std::uint64_t failed() const { return failed_; }
    [[nodiscard]] std::uint64_t not_traversed() const { return analysed_ - traversed_; }

    static constexpr std::size_t kListed = 50;
    static constexpr std::size_t kSlowest = 10;

  private:
    // Where a message is: an mbox message by its offset (its record has
    // no index when its audit read only a range of the file), any other by
    // its index in the path. Ordered as one audit reads them.
    struct Where {
        std::string path;
        std::uint64_t index = 0;  // when there is no offset
        std::optional<std::uint64_t> offset;
        bool pst_item = false;  // an item of a PST/OST: index counts items, as --range does
        [[nodiscard]] std::tuple<const std::string&, bool, std::uint64_t> key() const {
            return {path, offset.has_value(), offset.value_or(index)};
        }
        auto operator<=>(const Where& o) const { return key() <=> o.key(); }
        bool operator==(const Where& o) const { return key() == o.key(); }
    };
    struct Listed {
        Where where;
        std::optional<std::string> text;  // message id, or the error
    };
    struct Slow {
        std::int64_t delay;
        std::string role;
        Where where;
        int hop;
    };
    struct PerSource {
        std::uint64_t messages = 0;
        std::uint64_t failed = 0;
    };
    struct Bounces {
        std::uint64_t count = 0;
        std::string explanation;
    };
    struct Percentiles {
        std::uint64_t hops = 0;
        std::int64_t p50 = 0, p90 = 0, p99 = 0, max = 0;
    };
    // Of delays counted per value: the p-th percentile is the value at rank
    // round(p * (n - 1)), as over the sorted list of every delay.
    static Percentiles percentiles(const std::map<std::int64_t, std::uint64_t>& counts);
    // Statuses, the commonest first (ties in status order), so 312 scanner
    // mails refused with 5.7.64 head the list.
    [[nodiscard]] std::vector<std::pair<std::string, const Bounces*>> bounces_by_count() const;
    static void keep_first(std::vector<Listed>& list, Listed item);
    [[nodiscard]] static std::string where_text(const Where& w);

    std::uint64_t messages_ = 0;
    std::uint64_t analysed_ = 0;
    std::uint64_t failed_ = 0;
    std::uint64_t traversed_ = 0;
    std::uint64_t clock_skew_ = 0;
    std::uint64_t unparsable_ = 0;
    std::vector<Listed> bypassed_;  // sorted by where, at most kListed
    std::vector<Listed> failures_;  // the same
    std::map<std::string, std::map<std::int64_t, std::uint64_t>, std::less<>> delays_;  // role -> delay -> hops
    std::vector<Slow> slowest_;
    std::map<std::string, PerSource, std::less<>> sources_;
    std::vector<std::string> unopened_;
    std::map<std::string, Bounces> bounces_;  // by status ("5.7.64"; "no status" when the report gives none)
};

}  // namespace hopscope
