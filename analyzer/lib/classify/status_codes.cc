#include "classify/status_codes.hh"

#include <array>
#include <charconv>
#include <vector>

#include "input/header_block.hh"  // icontains

namespace hopscope {
namespace {

struct Row {
    std::string_view code;  // as written in the table
    std::string_view explanation;
    std::string_view hint;
    std::string_view source;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The table, parsed once: views of the compiled-in text.
const std::vector<Row>& rows() {
    static const std::vector<Row> table = [] {
        std::vector<Row> out;
        std::string_view text = status_codes_text();
        while (!text.empty()) {
            auto nl = text.find('\n');
            std::string_view line = text.substr(0, nl);
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
            if (trim(line).empty() || trim(line).front() == '#') continue;
            std::array<std::string_view, 4> cells{};
            for (std::size_t i = 0; i < cells.size(); ++i) {
                auto bar = i + 1 < cells.size() ? line.find('|') : std::string_view::npos;
                cells[i] = trim(line.substr(0, bar));
                line = bar == std::string_view::npos ? std::string_view() : line.substr(bar + 1);
            }
            out.push_back({cells[0], cells[1], cells[2], cells[3]});
        }
        return out;
    }();
    return table;
}

bool digit(char c) {
    return c >= '0' && c <= '9';
}

struct Code {
    int klass = 0;
    int subject = 0;
    int detail = 0;
};

std::optional<Code> parse(std::string_view s) {
    Code c;
    std::array<int*, 3> parts = {&c.klass, &c.subject, &c.detail};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::size_t n = 0;
        while (n < s.size() && digit(s[n])) ++n;
        if (n == 0 || n > 3) return std::nullopt;
        std::from_chars(s.data(), s.data() + n, *parts[i]);
        s.remove_prefix(n);
        if (i + 1 < parts.size()) {
            if (s.empty() || s.front() != '.') return std::nullopt;
            s.remove_prefix(1);
        }
    }
    if (!s.empty() || (c.klass != 2 && c.klass != 4 && c.klass != 5)) return std::nullopt;
    return c;
}

// Every citation of the row is Microsoft's own ("[MS-NDR] [MS-CONN]").
bool microsoft_only(std::string_view source) {
    bool any = false;
    for (std::size_t at = source.find('['); at != std::string_view::npos; at = source.find('[', at + 1)) {
        if (source.substr(at, 4) != "[MS-") return false;
        any = true;
    }
    return any;
}

}  // namespace

std::optional<StatusMeaning> explain_status(std::string_view code, bool from_microsoft) {
    auto c = parse(trim(code));
    if (!c) return std::nullopt;
    std::string normal = std::to_string(c->klass) + "." + std::to_string(c->subject) + "." + std::to_string(c->detail);
    std::string generic = "x." + std::to_string(c->subject) + "." + std::to_string(c->detail);
    std::string prefix = std::to_string(c->klass) + "." + std::to_string(c->subject) + ".";
    auto pick = [&](bool skip_microsoft) -> const Row* {
        const Row* exact = nullptr;
        const Row* range = nullptr;
        const Row* any_class = nullptr;
        const Row* klass = nullptr;
        for (const Row& r : rows()) {
            if (skip_microsoft && microsoft_only(r.source)) continue;
            if (r.code == normal) exact = exact != nullptr ? exact : &r;
            // The class-independent rows explain failures; a success is said by its own row or its class.
            if (r.code == generic && c->klass != 2) any_class = any_class != nullptr ? any_class : &r;
            if (r.code == std::to_string(c->klass)) klass = klass != nullptr ? klass : &r;
            if (range == nullptr && r.code.starts_with(prefix)) {
                auto dash = r.code.find('-');
                if (dash == std::string_view::npos) continue;
                int lo = 0;
                int hi = 0;
                auto low = r.code.substr(prefix.size(), dash - prefix.size());
                auto high = r.code.substr(dash + 1);
                if (std::from_chars(low.data(), low.data() + low.size(), lo).ec != std::errc() ||
                    std::from_chars(high.data(), high.data() + high.size(), hi).ec != std::errc())
                    continue;
                if (c->detail >= lo && c->detail <= hi) range = &r;
            }
        }
        return exact != nullptr ? exact : range != nullptr ? range : any_class != nullptr ? any_class : klass;
    };
    const Row* best = pick(false);
    // A code RFC 3463 defines means what the RFC says when another server
    // gave it; a code only Microsoft uses keeps Microsoft's meaning.
    if (!from_microsoft && best != nullptr && microsoft_only(best->source)) {
        const Row* rfc = pick(true);
        if (rfc != nullptr && (rfc->code.starts_with("x.") || rfc->code == best->code)) best = rfc;
    }
    if (best == nullptr) return std::nullopt;
    // A hint the table has from Microsoft is advice about Exchange Online:
    // not for a code RFC 3463 also defines that another server gave (a code
    // only Microsoft uses is Microsoft's wherever it is reported).
    std::string_view hint = best->hint;
    if (!from_microsoft && best->source.find("[MS-") != std::string_view::npos && !microsoft_only(best->source))
        hint = {};
    return StatusMeaning{normal, std::string(best->code), best->explanation, hint, best->source};
}

std::optional<StatusMeaning> explain_reply(std::string_view diagnostic, std::string_view code) {
    constexpr std::string_view kReply = "reply";
    auto c = parse(trim(code));
    for (const Row& r : rows()) {
        if (!r.code.starts_with(kReply)) continue;
        std::string_view rest = r.code.substr(kReply.size());
        // "reply[x.1.1,5.1.10]:": the codes that already say what the words
        // say; a reply with one of them keeps its code's own row.
        bool contradicts = false;
        if (rest.starts_with('[')) {
            auto close = rest.find(']');
            if (close == std::string_view::npos) continue;
            std::string_view agreed = rest.substr(1, close - 1);
            rest.remove_prefix(close + 1);
            bool agrees = false;
            while (!agreed.empty()) {
                auto comma = agreed.find(',');
                std::string_view a = trim(agreed.substr(0, comma));
                agreed = comma == std::string_view::npos ? std::string_view() : agreed.substr(comma + 1);
                auto ac = parse(a.starts_with("x.") ? "5" + std::string(a.substr(1)) : std::string(a));
                if (c && ac && ac->subject == c->subject && ac->detail == c->detail &&
                    (a.starts_with("x.") || ac->klass == c->klass))
                    agrees = true;
            }
            if (agrees) continue;
            contradicts = true;
        }
        if (!rest.starts_with(':')) continue;
        std::string_view words = rest.substr(1);
        std::string_view found;
        bool excluded = false;
        while (!words.empty()) {
            auto semi = words.find(';');
            std::string_view w = trim(words.substr(0, semi));
            words = semi == std::string_view::npos ? std::string_view() : words.substr(semi + 1);
            // "!WORDS": a reply that contains them is about something else
            // (the sender's address, not the recipient's).
            if (w.starts_with('!')) {
                excluded = excluded || icontains(diagnostic, trim(w.substr(1)));
            } else if (found.empty() && !w.empty() && icontains(diagnostic, w)) {
                found = w;
            }
        }
        if (excluded || found.empty()) continue;
        return StatusMeaning{std::string(code), std::string(found), r.explanation, r.hint, r.source, contradicts};
    }
    return std::nullopt;
}

}  // namespace hopscope
