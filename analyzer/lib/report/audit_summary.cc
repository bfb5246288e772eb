#include "report/audit_summary.hh"

#include <algorithm>
#include <cmath>

#include "classify/bounce_analysis.hh"
#include "classify/status_codes.hh"
#include "report/csv_writer.hh"
#include "report/display_text.hh"
#include "report/json_writer.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"

namespace hopscope {
namespace {

// A path as one shell word: single quotes, with any single quote closed, escaped and reopened.
std::string shell_word(std::string_view s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// "connector-relay 10, direct-send 2" (a tally: names with counts).
template <typename T>
std::string counts_text(const T& tally, std::string_view sep = ", ", std::string_view eq = " ") {
    std::string out;
    for (const auto& [name, n] : tally.names)
        out += (out.empty() ? "" : std::string(sep)) + name + std::string(eq) + std::to_string(n);
    if (tally.other > 0)
        out += (out.empty() ? "" : std::string(sep)) + "others" + std::string(eq) + std::to_string(tally.other);
    return out;
}

// "relay.contoso.com, relay2.contoso.com" (a tally's names only).
template <typename T>
std::string names_text(const T& tally, std::string_view sep = ", ") {
    std::string out;
    for (const auto& [name, n] : tally.names) out += (out.empty() ? "" : std::string(sep)) + name;
    if (tally.other > 0) out += std::string(out.empty() ? "" : std::string(sep)) + "…";
    return out;
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

void AuditSummary::Tally::add(std::string_view name) {
    auto at = std::lower_bound(names.begin(), names.end(), name,
                               [](const auto& entry, std::string_view n) { return entry.first < n; });
    if (at != names.end() && at->first == name) {
        ++at->second;
        return;
    }
    if (names.size() >= kSenderNames) {
        if (at == names.end()) {  // after every name kept: never among the first
            ++other;
            return;
        }
        other += names.back().second;  // the last name kept is no longer among the first
        names.pop_back();
    }
    names.insert(at, {std::string(name), 1});
}

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

std::string AuditSummary::Bounces::words(const std::string& status) const {
    if (!differ) return explanation.empty() ? "-" : explanation;
    // Each report's own words differ (a diagnostic, a server's meaning of
    // its code): the line says only what every one of them shares.
    std::string out;
    if (auto meaning = explain_status(status, false))
        out = std::string(meaning->explanation) + " ";
    else
        out = "No status code. ";
    return out + "The reports' own words differ: see each message.";
}

std::vector<std::pair<std::string, const AuditSummary::Bounces*>> AuditSummary::bounces_by_count() const {
    std::vector<std::pair<std::string, const Bounces*>> by_count;
    for (const auto& [status, b] : bounces_) by_count.emplace_back(status, &b);
    std::stable_sort(by_count.begin(), by_count.end(),
                     [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
    return by_count;
}

std::string AuditSummary::sender_key(const Sender& g) {
    std::string key(g.origin);
    key.push_back(' ');
    key += g.from;
    return key;
}

std::vector<const AuditSummary::Sender*> AuditSummary::senders_in_order() const {
    std::vector<std::pair<std::string, const Sender*>> keyed;
    keyed.reserve(senders_.size());
    for (const auto& [k, s] : senders_) keyed.emplace_back(sender_key(s), &s);
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
        if (a.second->not_traversed != b.second->not_traversed)
            return a.second->not_traversed > b.second->not_traversed;
        if (a.second->messages != b.second->messages) return a.second->messages > b.second->messages;
        return a.first < b.first;
    });
    std::vector<const Sender*> out;
    out.reserve(keyed.size());
    for (const auto& [k, s] : keyed) out.push_back(s);
    return out;
}

std::vector<std::string> AuditSummary::not_applicable_parts() const {
    std::vector<std::string> parts;
    for (const auto& [key, n] : by_reason_) {
        if (key.first != "not-applicable") continue;
        std::string words(reason_words(key.second));
        if (words.starts_with("this message ")) words.erase(0, 13);
        parts.push_back(std::to_string(n) + " " + words);
    }
    return parts;
}

std::uint64_t AuditSummary::notifications(bool success) const {
    std::uint64_t n = 0;
    for (const auto& [action, count] : notifications_)
        if (is_success_action(action) == success) n += count;
    return n;
}

void AuditSummary::keep_first(std::vector<Listed>& list, Listed item, std::size_t cap) {
    if (list.size() >= cap && !(item.where < list.back().where)) return;
    auto at = std::upper_bound(list.begin(), list.end(), item.where,
                               [](const Where& w, const Listed& l) { return w < l.where; });
    list.insert(at, std::move(item));
    if (list.size() > cap) list.pop_back();
}

std::string AuditSummary::where_text(const Where& w) {
    if (w.offset) return w.path + " (offset " + std::to_string(*w.offset) + ")";
    std::string s = w.path + " #" + std::to_string(w.index);
    if (w.item)
        s += " (" + (w.folder.empty() ? std::string() : w.folder + ", ") + "item " + std::to_string(*w.item) + ")";
    return s;
}

std::string AuditSummary::command(const Where& w) {
    if (w.path == "-") return "(read from standard input: audit the file itself to get a command)";
    if (w.item) return "hopscope trace --item " + std::to_string(*w.item) + " " + shell_word(w.path);
    if (w.offset) return "hopscope trace --offset " + std::to_string(*w.offset) + " " + shell_word(w.path);
    return "hopscope trace " + shell_word(w.path);
}

std::string AuditSummary::implausible_why(const HopFigure& d) {
    if (d.delay_s < 0) return "negative";
    if (d.delay_s > kMaxPlausibleDelay) return "longer than 7 days: a clock or a date that is off";
    if (d.zone_gap) return "whole hours: a clock in the wrong zone would give the same";
    return {};
}

void AuditSummary::add(const AuditFigures& f, const MessageSource& s) {
    if (f.left_out == "outside") {
        ++outside_;
        return;
    }
    if (f.left_out == "undated") {
        ++undated_;
        return;
    }
    ++messages_;
    if (counts_only_) {
        if (f.skipped)
            ++skipped_;
        else if (!f.analysed)
            ++failed_;
        else if (++analysed_; f.state == "traversed")
            ++traversed_;
        else if (f.state == "not-traversed")
            ++not_traversed_;
        else
            ++not_applicable_;
        return;
    }
    auto it = sources_.find(s.path);
    if (it == sources_.end()) it = sources_.emplace(std::string(s.path), PerSource{}).first;
    PerSource& src = it->second;
    ++src.messages;
    auto where = [&] {
        return Where{std::string(s.path), s.index.value_or(0), s.offset, s.item ? std::string(s.folder) : std::string(),
                     s.item};
    };
    if (f.skipped) {
        ++skipped_;
        ++src.skipped;
        ++skipped_by_[*f.skipped];
        keep_first(skipped_items_, {where(), f.skipped}, kSkippedListed);
        return;
    }
    if (!f.analysed) {
        ++failed_;
        ++src.failed;
        keep_first(failures_, {where(), f.error.value_or("?")});
        return;
    }
    ++analysed_;
    // A message without a verdict is one the relay question does not reach.
    const std::string_view state = f.state.empty() ? std::string_view("not-applicable") : f.state;
    const std::string_view reason = f.state.empty() ? std::string_view("unknown") : std::string_view(f.reason);
    auto counted = by_reason_.find(std::pair(state, reason));
    if (counted == by_reason_.end())
        counted = by_reason_.emplace(std::pair(std::string(state), std::string(reason)), 0).first;
    ++counted->second;
    int column = 2;
    if (state == "traversed") {
        ++traversed_;
        column = 0;
    } else if (state == "not-traversed") {
        ++not_traversed_;
        keep_first(bypassed_, {where(), f.message_id});
        column = 1;
    } else {
        ++not_applicable_;
    }
    if (f.seen && f.seen->size() >= 10) ++days_[f.seen->substr(0, 10)][static_cast<std::size_t>(column)];
    if (f.sender) {
        const SenderFigures& sf = *f.sender;
        const std::string& origin = sf.origin_ip ? *sf.origin_ip : sf.origin_host ? *sf.origin_host : std::string();
        std::string key = origin;
        key.push_back('\x1f');
        if (sf.from_address) key += *sf.from_address;
        auto [at, fresh] = senders_.try_emplace(std::move(key));
        Sender& g = at->second;
        auto earlier = [&] {
            const std::string_view kept = *g.example.path;
            if (s.path != kept) return s.path < kept;
            const Example& e = g.example;
            return std::tuple(s.offset.has_value(), s.offset.value_or(s.index.value_or(0))) <
                   std::tuple(e.offset.has_value(), e.offset.value_or(e.index));
        };
        if (fresh) {
            std::string_view k = at->first;  // a node's key stays in place
            g.origin = k.substr(0, origin.size());
            g.from = k.substr(origin.size() + 1);
        }
        if (fresh || earlier()) {
            g.example = Example{&it->first, s.index.value_or(0), s.offset, s.item,
                                s.item ? std::string(s.folder) : std::string()};
        }
        if (sf.origin_ip && sf.origin_host && (g.origin_host.empty() || *sf.origin_host < g.origin_host))
            g.origin_host = *sf.origin_host;
        ++g.messages;
        if (column == 0) ++g.traversed;
        if (column == 1) ++g.not_traversed;
        if (column == 2) ++g.not_applicable;
        if (f.bounce) ++g.bounced;
        g.methods.add(f.method.empty() ? std::string_view("none") : std::string_view(f.method));
        if (sf.tls_into_eop) g.tls.add(*sf.tls_into_eop);
        if (f.seen) {
            if (g.first_seen.empty() || *f.seen < g.first_seen.view()) g.first_seen.set(*f.seen);
            if (g.last_seen.empty() || *f.seen > g.last_seen.view()) g.last_seen.set(*f.seen);
        }
        for (const auto& r : sf.relays) g.relays.add(r);
        if (sf.eop_from) g.eop_from.add(*sf.eop_from);
        if (sf.connector) g.connectors.add(*sf.connector);
    }
    if (f.bounce) {
        Bounces& b = bounces_[f.bounce_status.value_or("no status")];
        // One status, explained alike, or with each report's own words (its
        // diagnostic): the smallest text is kept, so the answer does not
        // depend on the order, and whether they differ.
        const std::string& said = f.bounce_explanation ? *f.bounce_explanation : std::string();
        if (b.count > 0 && said != b.explanation) b.differ = true;
        if (b.count == 0 || said < b.explanation) b.explanation = said;
        ++b.count;
    }
    if (f.notification_action) ++notifications_[*f.notification_action];
    clock_skew_ += static_cast<std::uint64_t>(f.clock_skew);
    unparsable_ += static_cast<std::uint64_t>(f.unparsable_dates);
    auto slower = [](const Slow& a, const Slow& b) {
        if (a.delay != b.delay) return a.delay > b.delay;
        if (a.where != b.where) return a.where < b.where;
        return a.hop < b.hop;
    };
    auto earlier = [](const Implausible& a, const Implausible& b) {
        if (a.where != b.where) return a.where < b.where;
        return a.hop < b.hop;
    };
    for (const auto& d : f.delays) {
        if (std::string why = implausible_why(d); !why.empty()) {
            // Counted and listed apart: never in the percentiles or the slowest hops.
            ++implausible_;
            Implausible item{d.delay_s, std::string(d.role), where(), d.hop_index, std::move(why)};
            if (implausible_listed_.size() >= kSlowest && !earlier(item, implausible_listed_.back())) continue;
            implausible_listed_.insert(
                std::upper_bound(implausible_listed_.begin(), implausible_listed_.end(), item, earlier),
                std::move(item));
            if (implausible_listed_.size() > kSlowest) implausible_listed_.pop_back();
            continue;
        }
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
    // A reader's reason that already names the input is not prefixed again.
    unopened_.push_back(why.empty() ? path : why.starts_with(path + ": ") ? why : path + ": " + why);
}

std::string AuditSummary::render() const {
    std::string out;
    out += "Messages   " + std::to_string(messages_) + " read, " + std::to_string(analysed_) + " analysed, " +
           std::to_string(failed_) + " failed" +
           (skipped_ > 0 ? ", " + plural(skipped_, "item", "items") + " skipped (no e-mail messages)" : "") + "\n";
    if (period_.active())
        out += "Period     " + (period_.since.empty() ? std::string("any time") : period_.since) + " to " +
               (period_.until.empty() ? std::string("any time") : period_.until) +
               " (by the Date header, else the first stamp): left out " + plural(outside_, "message", "messages") +
               " outside it and " + std::to_string(undated_) + " without a date\n";
    if (!unopened_.empty()) out += "Unopened   " + std::to_string(unopened_.size()) + " input(s)\n";
    out +=
        "Relay      " + std::to_string(traversed_) + " traversed, " + std::to_string(not_traversed_) + " not traversed";
    for (const auto& part : not_applicable_parts()) out += ", " + part;
    out += "\n";
    out += "Dates      " + std::to_string(clock_skew_) + " hops with clock skew, " + std::to_string(unparsable_) +
           " unparsable dates\n";

    if (!senders_.empty()) {
        const auto order = senders_in_order();
        out += "\nSenders (" + std::to_string(order.size()) +
               "; by not traversed, then messages)\n  messages traversed   not   n/a bounced  origin / from\n";
        auto num = [](std::uint64_t n, std::size_t w) { return pad(std::to_string(n), w, true); };
        for (std::size_t i = 0; i < order.size() && i < kSendersShown; ++i) {
            const Sender& g = *order[i];
            std::string origin(g.origin.empty() ? "(no origin)" : g.origin);
            if (!g.origin_host.empty()) origin += " (" + g.origin_host + ")";
            out += "  " + num(g.messages, 8) + num(g.traversed, 10) + num(g.not_traversed, 6) +
                   num(g.not_applicable, 6) + num(g.bounced, 8) + "  " + escape_for_terminal(origin) + " / " +
                   escape_for_terminal(g.from.empty() ? "(no From address)" : g.from) + "\n";
            std::string detail = "methods: " + counts_text(g.methods);
            if (!g.tls.names.empty()) detail += "; TLS into Microsoft 365: " + counts_text(g.tls);
            if (!g.relays.names.empty()) detail += "; relays: " + names_text(g.relays);
            if (!g.eop_from.names.empty()) detail += "; Microsoft 365 received from: " + names_text(g.eop_from);
            if (!g.connectors.names.empty()) detail += "; connectors: " + names_text(g.connectors);
            out += "      " + escape_for_terminal(detail) + "\n";
            std::string seen =
                g.first_seen.empty()
                    ? std::string()
                    : "seen " + std::string(g.first_seen.view()) +
                          (g.last_seen.view() != g.first_seen.view() ? " to " + std::string(g.last_seen.view()) : "") +
                          "; ";
            out += "      " + escape_for_terminal(seen + "e.g. " + command(g.example.where())) + "\n";
        }
        if (order.size() > kSendersShown)
            out += "  ... and " + std::to_string(order.size() - kSendersShown) + " more: --format json\n";
    }

    if (!delays_.empty()) out += "\nDelay per role (seconds)   hops      p50      p90      p99  max\n";
    auto num = [](std::int64_t n, std::size_t w) { return pad(std::to_string(n), w, true); };
    for (const auto& role : audit_roles()) {
        auto it = delays_.find(role);
        if (it == delays_.end()) continue;
        Percentiles p = percentiles(it->second);
        out += "  " + pad(role, 24) + num(static_cast<std::int64_t>(p.hops), 6) + num(p.p50, 9) + num(p.p90, 9) +
               num(p.p99, 9) + "  " + format_duration(p.max) + "\n";
    }
    if (implausible_ > 0) {
        out += "\nImplausible delays (" + std::to_string(implausible_) + ", left out of the delays above)\n";
        for (const auto& d : implausible_listed_)
            out += "  " + pad(format_duration(d.delay), 12, true) + "  " + pad(d.role, 22) +
                   escape_for_terminal(where_text(d.where) + " hop " + std::to_string(d.hop) + ": " + d.why) + "\n";
        if (implausible_ > implausible_listed_.size())
            out += "  ... and " + std::to_string(implausible_ - implausible_listed_.size()) + " more\n";
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
                   escape_for_terminal(b->words(status)) + "\n";
    }
    if (!notifications_.empty()) {
        // Reports of success or delay: not bounces, counted apart.
        std::string actions;
        for (const auto& [action, count] : notifications_)
            if (is_success_action(action))
                actions += (actions.empty() ? "" : ", ") + escape_for_terminal(action) + " " + std::to_string(count);
        out += "\nDelivery notifications (" + std::to_string(notifications(true) + notifications(false)) + ")\n";
        out += "  " + pad(std::to_string(notifications(true)), 8, true) + "  of success" +
               (actions.empty() ? "" : " (" + actions + ")") + "\n";
        out += "  " + pad(std::to_string(notifications(false)), 8, true) + "  delay warnings\n";
    }
    if (not_traversed_ > 0) {
        out += "\nNot through the relay (" + std::to_string(not_traversed_) +
               "; see each with the command, adding the audit's --relay and --connectors)\n";
        for (const auto& b : bypassed_)
            out += "  " + escape_for_terminal(where_text(b.where) + (b.text ? " " + *b.text : "")) + "\n      " +
                   escape_for_terminal(command(b.where)) + "\n";
        if (not_traversed_ > bypassed_.size())
            out += "  ... and " + std::to_string(not_traversed_ - bypassed_.size()) + " more (use --format csv)\n";
    }
    if (!failures_.empty()) {
        out += "\nFailed\n";
        for (const auto& f : failures_)
            out += "  " + escape_for_terminal(where_text(f.where) + ": " + f.text.value_or("?")) + "\n";
    }
    if (skipped_ > 0) {
        out += "\nSkipped: no e-mail messages (" + std::to_string(skipped_) + ")\n";
        std::vector<std::pair<std::string, std::uint64_t>> by(skipped_by_.begin(), skipped_by_.end());
        std::stable_sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        for (const auto& [what, n] : by)
            out += "  " + pad(std::to_string(n), 8, true) + "  " + escape_for_terminal(what) + "\n";
        for (const auto& s : skipped_items_)
            out += "  " + escape_for_terminal(where_text(s.where) + ": " + s.text.value_or("?")) + "\n";
        if (skipped_ > skipped_items_.size())
            out += "  ... and " + std::to_string(skipped_ - skipped_items_.size()) + " more (use --format csv)\n";
    }
    if (!unopened_.empty()) {
        out += "\nUnopened (" + std::to_string(unopened_.size()) + ")\n";
        for (const auto& u : unopened_) out += "  " + escape_for_terminal(u) + "\n";
    }
    out += "\nPer source\n";
    std::size_t shown = 0;
    for (const auto& [path, s] : sources_) {
        if (shown++ == kSourcesShown) {
            out += "  ... and " + std::to_string(sources_.size() - kSourcesShown) + " more: --format json\n";
            break;
        }
        out += "  " + pad(std::to_string(s.messages), 8, true) + (s.messages == 1 ? " message" : " messages") +
               (s.failed ? ", " + std::to_string(s.failed) + " failed" : std::string()) +
               (s.skipped ? ", " + std::to_string(s.skipped) + " skipped" : std::string()) + "  " +
               escape_for_terminal(path) + "\n";
    }
    return out;
}

std::string AuditSummary::render_json() const {
    ByteBuffer out;
    render_json(out);
    return std::string(out.view());
}

void AuditSummary::render_json(ByteBuffer& out) const {
    out.reserve(out.size() + 16384 + senders_.size() * 1024 + days_.size() * 128);  // about a sender's pretty JSON
    write_json(out);
    out.push_back('\n');
}

void AuditSummary::write_json(ByteBuffer& out) const {
    JsonWriter w(true, out);  // its destructor settles the buffer's size
    auto count = [](std::uint64_t n) { return static_cast<std::int64_t>(n); };
    auto source = [&](const Where& at) {
        w.key("source").begin_object().member("path", at.path).key("offset");
        if (at.offset)  // an mbox message: known by its offset
            w.value(count(*at.offset)).key("index").null();
        else
            w.null().member("index", count(at.index));
        if (at.item) w.member("folder", at.folder).member("item", std::int64_t{*at.item});
        w.end_object();
    };
    auto text_or_null = [](std::string_view s) {
        return s.empty() ? std::nullopt : std::optional<std::string>(std::string(s));
    };
    w.begin_object();
    w.member("schema", std::int64_t{kJsonSchemaVersion}).member("kind", "audit-summary");
    w.member("messages", count(messages_)).member("analysed", count(analysed_)).member("failed", count(failed_));
    w.member("skipped", count(skipped_));
    w.member("traversed", count(traversed_)).member("not_traversed", count(not_traversed_));
    w.member("not_applicable", count(not_applicable_));
    w.key("relay_reasons").begin_array();
    for (std::string_view state : {"traversed", "not-traversed", "not-applicable"})
        for (const auto& [key, n] : by_reason_)
            if (key.first == state)
                w.begin_object()
                    .member("state", key.first)
                    .member("reason", key.second)
                    .member("count", count(n))
                    .end_object();
    w.end_array();
    w.key("period");
    if (period_.active()) {
        w.begin_object().member("since", text_or_null(period_.since)).member("until", text_or_null(period_.until));
        w.member("outside", count(outside_)).member("undated", count(undated_)).end_object();
    } else {
        w.null();
    }
    w.member("clock_skew_hops", count(clock_skew_)).member("unparsable_dates", count(unparsable_));
    w.key("senders").begin_array();
    for (const Sender* g : senders_in_order()) {
        auto strings = [&](const char* name, const Tally& t) {
            w.key(name).begin_array();
            for (const auto& [n, c] : t.names) w.value(n);
            w.end_array();
        };
        auto counts = [&](const char* name, const Tally& t) {
            w.key(name).begin_object();
            for (const auto& [n, c] : t.names) w.key(n).value(count(c));
            w.end_object();
        };
        w.begin_object().member("key", sender_key(*g));
        w.member("origin", text_or_null(g->origin)).member("origin_host", text_or_null(g->origin_host));
        w.member("from_address", text_or_null(g->from));
        w.member("messages", count(g->messages)).member("traversed", count(g->traversed));
        w.member("not_traversed", count(g->not_traversed)).member("not_applicable", count(g->not_applicable));
        w.member("bounced", count(g->bounced));
        counts("methods", g->methods);
        w.member("first_seen", text_or_null(g->first_seen.view()))
            .member("last_seen", text_or_null(g->last_seen.view()));
        strings("relays", g->relays);
        strings("eop_received_from", g->eop_from);
        counts("tls_into_eop", g->tls);
        strings("connectors", g->connectors);
        w.member("unlisted",
                 count(g->methods.other + g->tls.other + g->relays.other + g->eop_from.other + g->connectors.other));
        w.key("example").begin_object();
        const Where example = g->example.where();
        source(example);
        w.member("command", command(example)).end_object();
        w.end_object();
    }
    w.end_array();
    w.key("days").begin_array();
    for (const auto& [day, n] : days_)
        w.begin_object()
            .member("day", day)
            .member("traversed", count(n[0]))
            .member("not_traversed", count(n[1]))
            .member("not_applicable", count(n[2]))
            .end_object();
    w.end_array();
    w.key("delays").begin_array();
    for (const auto& role : audit_roles()) {
        auto it = delays_.find(role);
        if (it == delays_.end()) continue;
        Percentiles p = percentiles(it->second);
        w.begin_object().member("role", role).member("hops", count(p.hops));
        w.member("p50", p.p50).member("p90", p.p90).member("p99", p.p99).member("max", p.max).end_object();
    }
    w.end_array();
    w.member("implausible_delays", count(implausible_));
    w.key("implausible_listed").begin_array();
    for (const auto& d : implausible_listed_) {
        w.begin_object().member("delay_s", d.delay).member("role", d.role);
        source(d.where);
        w.member("hop", std::int64_t{d.hop}).member("why", d.why).end_object();
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
        std::string words = b->words(status);
        w.member("explanation", words == "-" ? std::nullopt : std::optional<std::string>(std::move(words)));
        w.end_object();
    }
    w.end_array();
    w.key("notifications").begin_object();
    w.member("success", count(notifications(true))).member("delayed", count(notifications(false)));
    w.key("by_action").begin_array();
    for (const auto& [action, n] : notifications_)
        w.begin_object().member("action", action).member("count", count(n)).end_object();
    w.end_array();
    w.end_object();
    w.key("not_traversed_listed").begin_array();
    for (const auto& b : bypassed_) {
        w.begin_object();
        source(b.where);
        w.member("message_id", b.text).member("command", command(b.where)).end_object();
    }
    w.end_array();
    w.key("failures").begin_array();
    for (const auto& f : failures_) {
        w.begin_object();
        source(f.where);
        w.member("error", f.text).end_object();
    }
    w.end_array();
    w.key("skipped_by").begin_array();
    {
        std::vector<std::pair<std::string, std::uint64_t>> by(skipped_by_.begin(), skipped_by_.end());
        std::stable_sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        for (const auto& [what, n] : by) w.begin_object().member("what", what).member("count", count(n)).end_object();
    }
    w.end_array();
    w.key("skipped_listed").begin_array();
    for (const auto& s : skipped_items_) {
        w.begin_object();
        source(s.where);
        w.member("what", s.text.value_or("")).end_object();
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
            .member("skipped", count(s.skipped))
            .end_object();
    w.end_array();
    w.end_object();
}

std::string AuditSummary::render_senders_csv() const {
    std::string out =
        "origin,origin_host,from_address,messages,traversed,not_traversed,not_applicable,bounced,methods,first_seen,"
        "last_seen,relays,eop_received_from,tls_into_eop,connectors,example,command\r\n";
    auto cell = [&](std::string_view v, bool last = false) {
        append_csv_text(out, v);
        out += last ? "\r\n" : ",";
    };
    auto number = [&](std::uint64_t n) { out += std::to_string(n) + ","; };
    for (const Sender* g : senders_in_order()) {
        cell(g->origin);
        cell(g->origin_host);
        cell(g->from);
        number(g->messages);
        number(g->traversed);
        number(g->not_traversed);
        number(g->not_applicable);
        number(g->bounced);
        cell(counts_text(g->methods, ";", "="));
        cell(g->first_seen.view());
        cell(g->last_seen.view());
        cell(names_text(g->relays, ";"));
        cell(names_text(g->eop_from, ";"));
        cell(counts_text(g->tls, ";", "="));
        cell(names_text(g->connectors, ";"));
        cell(where_text(g->example.where()));
        cell(command(g->example.where()), true);
    }
    return out;
}

}  // namespace hopscope
