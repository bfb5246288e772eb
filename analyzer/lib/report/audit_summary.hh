// What `audit --format text|json|html` prints: counts (messages analysed,
// failed, and items skipped because they are no e-mail messages), the relay
// answer's three states, the audit by sender, delay per role
// (p50/p90/p99/max, implausible delays apart), the slowest hops, bounces by
// status, delivery notifications (of success, of delay) by action, the
// messages that did not traverse, failures, skipped items, per-source counts.
//
// The summary depends only on the set of messages added, never on their
// order: lists keep the first entries by path and place (an mbox message's
// offset, another's index), ties in delay are broken the same way, delays
// are counted per value, and each sender's lists keep the first names in
// name order. So one audit of everything and `summarize` over shards of it
// (file lists or byte ranges), in any order, print the same bytes; memory
// grows with distinct delays, days and senders, not with messages.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "report/audit_record.hh"

namespace hopscope {

class AuditSummary {
  public:
    void add(const AuditFigures& f, const MessageSource& s);
    // Only the counts an exit code reads are kept (messages, skipped,
    // failed, by relay state): for an audit that writes records and no
    // summary.
    void keep_counts_only() { counts_only_ = true; }
    void add_unopened(const std::string& path, const std::string& why);
    // The period the audit was limited to (said in the summary).
    void set_period(Period period) { period_ = std::move(period); }
    [[nodiscard]] std::string render() const;       // text
    [[nodiscard]] std::string render_json() const;  // one JSON object and a newline
    // The same appended to `out`, with room reserved for it up front: what
    // audit and summarize write, with no copy of a summary of many senders.
    void render_json(ByteBuffer& out) const;
    [[nodiscard]] std::string render_html() const;  // a self-contained page (audit_summary_html.cc)
    // The audit by sender as CSV (audit/summarize --format csv --by sender).
    [[nodiscard]] std::string render_senders_csv() const;

    [[nodiscard]] std::uint64_t messages() const { return messages_; }
    [[nodiscard]] std::uint64_t failed() const { return failed_; }
    [[nodiscard]] std::uint64_t skipped() const { return skipped_; }
    // Messages whose relay state is not-traversed: the organisation's own
    // mail that reached Microsoft 365 another way (not-applicable is not).
    [[nodiscard]] std::uint64_t not_traversed() const { return not_traversed_; }

    static constexpr std::size_t kListed = 50;
    static constexpr std::size_t kSlowest = 10;
    static constexpr std::size_t kSkippedListed = 20;
    static constexpr std::size_t kSendersShown = 20;  // text and HTML; JSON and CSV have every one
    static constexpr std::size_t kSourcesShown = 20;  // text and HTML
    static constexpr std::size_t kSenderNames = 16;   // names kept per list of a sender
    static constexpr std::size_t kDaysShown = 400;    // the HTML bar: the latest days
    // A hop delay past this is no delay mail servers keep a message for
    // (they give up after 5 days at most): a clock or a date that is off.
    static constexpr std::int64_t kMaxPlausibleDelay = std::int64_t{7} * 24 * 3600;

  private:
    // Where a message is: an mbox message by its offset (its record has
    // no index when its audit read only a range of the file), any other by
    // its index in the path. Ordered as one audit reads them.
    struct Where {
        std::string path;
        std::uint64_t index = 0;  // when there is no offset
        std::optional<std::uint64_t> offset;
        std::string folder;                 // a PST/OST item's folder
        std::optional<std::uint32_t> item;  // and node id
        [[nodiscard]] std::tuple<const std::string&, bool, std::uint64_t> key() const {
            return {path, offset.has_value(), offset.value_or(index)};
        }
        auto operator<=>(const Where& o) const { return key() <=> o.key(); }
        bool operator==(const Where& o) const { return key() == o.key(); }
    };
    struct Listed {
        Where where;
        std::optional<std::string> text;  // message id, the error, or what a skipped item is
    };
    struct Slow {
        std::int64_t delay;
        std::string role;
        Where where;
        int hop;
    };
    struct Implausible {
        std::int64_t delay;
        std::string role;
        Where where;
        int hop;
        std::string why;
    };
    struct PerSource {
        std::uint64_t messages = 0;
        std::uint64_t failed = 0;
        std::uint64_t skipped = 0;
    };
    struct Bounces {
        std::uint64_t count = 0;
        std::string explanation;  // the smallest of the group's (order-free)
        bool differ = false;      // its bounces' explanations are not all the same
        // What the group's line says: the one explanation, or where they
        // differ, only what the status means.
        [[nodiscard]] std::string words(const std::string& status) const;
    };
    struct Percentiles {
        std::uint64_t hops = 0;
        std::int64_t p50 = 0, p90 = 0, p99 = 0, max = 0;
    };
    // Names with their counts, at most kSenderNames: the first in name order
    // (their counts exact whatever the order added); `other` counts the rest.
    struct Tally {
        std::vector<std::pair<std::string, std::uint64_t>> names;
        std::uint64_t other = 0;
        void add(std::string_view name);
    };
    // A time as UTC text held in place (YYYY-MM-DDTHH:MM:SSZ; a heap
    // string each would double a sender's size), empty until set.
    struct SeenTime {
        std::array<char, 20> text{};
        std::uint8_t size = 0;
        [[nodiscard]] bool empty() const { return size == 0; }
        [[nodiscard]] std::string_view view() const { return {text.data(), size}; }
        void set(std::string_view t) {
            size = static_cast<std::uint8_t>(std::min(t.size(), text.size()));
            std::copy_n(t.data(), size, text.data());
        }
    };
    // A sender's first message: its path is the per-source map's own key.
    struct Example {
        const std::string* path = nullptr;
        std::uint64_t index = 0;
        std::optional<std::uint64_t> offset;
        std::optional<std::uint32_t> item;
        std::string folder;
        [[nodiscard]] Where where() const { return Where{*path, index, offset, folder, item}; }
    };
    // One sender: an origin device (its address, else its name) and a From
    // address. Memory per sender matters: an audit of inbound mail has
    // about as many senders as messages.
    struct Sender {
        std::string_view origin;  // views of the map's key; "" when the chain names none
        std::string_view from;    // "" when From has no address
        std::string origin_host;  // the first name in name order the origin went by ("" none)
        std::uint64_t messages = 0, traversed = 0, not_traversed = 0, not_applicable = 0, bounced = 0;
        Tally methods;
        Tally tls;  // into EOP: version, "unknown", "none"
        SeenTime first_seen, last_seen;
        Tally relays, eop_from, connectors;
        Example example;
    };
    using Day = std::array<std::uint64_t, 3>;  // traversed, not traversed, not applicable

    void write_json(ByteBuffer& out) const;
    // Of delays counted per value: the p-th percentile is the value at rank
    // round(p * (n - 1)), as over the sorted list of every delay.
    static Percentiles percentiles(const std::map<std::int64_t, std::uint64_t>& counts);
    // Statuses, the commonest first (ties in status order), so 312 scanner
    // mails refused with 5.7.64 head the list.
    [[nodiscard]] std::vector<std::pair<std::string, const Bounces*>> bounces_by_count() const;
    // Senders by not traversed (most first), then messages (most first), then key.
    [[nodiscard]] std::vector<const Sender*> senders_in_order() const;
    // The origin and the From address joined by a space.
    [[nodiscard]] static std::string sender_key(const Sender& g);
    // The not-applicable states in words, with their counts: "100 never reached Microsoft 365".
    [[nodiscard]] std::vector<std::string> not_applicable_parts() const;
    static void keep_first(std::vector<Listed>& list, Listed item, std::size_t cap = kListed);
    [[nodiscard]] static std::string where_text(const Where& w);
    // The command that shows one message: trace, with --offset (an mbox) or --item (a PST/OST).
    [[nodiscard]] static std::string command(const Where& w);
    // Why a delay is left out of the percentiles, or empty.
    [[nodiscard]] static std::string implausible_why(const HopFigure& d);

    Period period_;
    std::uint64_t messages_ = 0;
    std::uint64_t analysed_ = 0;
    bool counts_only_ = false;
    std::uint64_t failed_ = 0;
    std::uint64_t skipped_ = 0;
    std::uint64_t traversed_ = 0;
    std::uint64_t not_traversed_ = 0;
    std::uint64_t not_applicable_ = 0;
    std::uint64_t outside_ = 0;  // left out by the period
    std::uint64_t undated_ = 0;
    std::uint64_t clock_skew_ = 0;
    std::uint64_t unparsable_ = 0;
    // (state, reason) pairs in the order of std::pair, found by views of them:
    // a message's reason is not copied to look its count up.
    struct ReasonLess {
        using is_transparent = void;
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const {
            return std::pair<std::string_view, std::string_view>(a.first, a.second) <
                   std::pair<std::string_view, std::string_view>(b.first, b.second);
        }
    };
    std::map<std::pair<std::string, std::string>, std::uint64_t, ReasonLess> by_reason_;  // (state, reason) -> messages
    std::vector<Listed> bypassed_;                     // not traversed, sorted by where, at most kListed
    std::vector<Listed> failures_;                     // the same
    std::vector<Listed> skipped_items_;                // at most kSkippedListed
    std::map<std::string, std::uint64_t> skipped_by_;  // what the item is -> items
    std::map<std::string, std::map<std::int64_t, std::uint64_t>, std::less<>> delays_;  // role -> delay -> hops
    std::vector<Slow> slowest_;
    std::uint64_t implausible_ = 0;
    std::vector<Implausible> implausible_listed_;  // the first kSlowest by (where, hop)
    std::map<std::string, PerSource, std::less<>> sources_;
    std::vector<std::string> unopened_;
    std::map<std::string, Bounces> bounces_;  // by status ("5.7.64"; "no status" when the report gives none)
    std::map<std::string, std::uint64_t, std::less<>> notifications_;  // by action: delivered, relayed, ..., delayed
    std::unordered_map<std::string, Sender> senders_;                  // by origin "\x1f" From
    std::map<std::string, Day> days_;                                  // "YYYY-MM-DD" -> counts by state
    [[nodiscard]] std::uint64_t notifications(bool success) const;
};

}  // namespace hopscope
