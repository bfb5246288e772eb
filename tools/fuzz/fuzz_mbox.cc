// The mbox splitter: spans are contiguous, inside the input, and progress;
// the "--" lines a span carries are exactly those of its body, and the
// forwarded-message test answers the same with them as without.
// The block-wise MboxStream (audit -) is held to the whole-file splitter:
// the same messages at a block size taken from the input, wherever no
// Content-Length (trusted only when all in hand) or over-long message makes
// them differ by design; and its spans stay inside what it holds. Range
// parts (audit --range) at two cuts taken from the input give the whole
// file's spans, wherever no Content-Length makes them differ by design, and
// every byte once in any case.
#include <strings.h>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "input/attached_messages.hh"
#include "input/header_block.hh"
#include "input/mbox_splitter.hh"
#include "input/mbox_stream.hh"

namespace {

std::vector<std::string> streamed(std::string_view in, std::size_t block, std::size_t max_message) {
    std::vector<std::string> out;
    hopscope::MboxStream s(max_message);
    std::string held;
    std::size_t pos = 0;
    for (bool eof = false; !eof;) {
        held.append(in.substr(pos, block));
        pos += block;
        eof = pos >= in.size();
        auto step = s.next(held, eof);
        for (const auto& m : step.messages) {
            if (m.offset + m.length > held.size() || m.length > max_message) __builtin_trap();
            out.emplace_back(held.substr(m.offset, m.length));
        }
        if (step.keep_from > held.size()) __builtin_trap();
        held.erase(0, step.keep_from);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    (void)hopscope::looks_like_mbox(in);
    hopscope::MboxSplitter s(in);
    std::size_t expect = in.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    std::vector<std::string> whole;
    while (auto span = s.next()) {
        if (span->offset != expect || span->length == 0 || span->offset + span->length > size) __builtin_trap();
        expect = span->offset + span->length;
        whole.emplace_back(in.substr(span->offset, span->length));
        // The "--" lines it noted: in order, inside the span, each one such a
        // line start; and every such line start from where the notes begin.
        const auto& d = span->dash_lines;
        if (d.from != std::string_view::npos) {
            std::string_view m = in.substr(span->offset, span->length);
            std::size_t k = 0;
            for (std::size_t p = std::max<std::size_t>(d.from, 1); p + 1 < m.size(); ++p)
                if (m[p - 1] == '\n' && m[p] == '-' && m[p + 1] == '-') {
                    if (k >= d.at.size() || d.at[k] != p) __builtin_trap();
                    ++k;
                }
            if (k != d.at.size()) __builtin_trap();
            // And the forwarded-message test gives the same answer with them.
            hopscope::HeaderBlock block = hopscope::split_header_block(m);
            std::string_view type;
            for (const auto& f : block.fields)
                if (hopscope::iequals(f.name, "Content-Type")) {
                    type = f.raw;
                    break;
                }
            std::string_view body = m.substr(std::min(block.end_offset, m.size()));
            if (hopscope::may_attach_messages(type, body, &d, block.end_offset) !=
                hopscope::may_attach_messages(type, body))
                __builtin_trap();
        }
    }
    if (expect != size && size > 3) __builtin_trap();

    // Three range parts at two cuts: contiguous, each inside what it read.
    if (size >= 2) {
        std::size_t x = data[0] * size / 256;
        std::size_t y = x + (data[size - 1] * (size - x) / 256);
        std::vector<std::string> parts;
        std::size_t at = in.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
        for (auto [from, to] : {std::pair{std::size_t{0}, x}, std::pair{x, y}, std::pair{y, size + 1}}) {
            hopscope::MboxPart part = hopscope::mbox_part(in, from, to);
            if (part.begin > part.end || part.end > size || part.read_from > part.begin || part.read_to < part.end)
                __builtin_trap();
            if (part.begin != std::min(at, size) && part.begin < part.end) __builtin_trap();
            hopscope::MboxSplitter p(in.substr(0, part.end), part.begin);
            while (auto span = p.next()) {
                if (span->offset != at || span->length == 0 || span->offset + span->length > part.end) __builtin_trap();
                at = span->offset + span->length;
                parts.emplace_back(in.substr(span->offset, span->length));
            }
        }
        if (at != size && size > 3) __builtin_trap();
        bool counted = false;
        for (std::size_t i = 0; i + 15 <= size && !counted; ++i)
            counted = strncasecmp(in.data() + i, "Content-Length:", 15) == 0;
        if (!counted && parts != whole) __builtin_trap();
    }

    if (size == 0 || !hopscope::looks_like_mbox(in)) return 0;  // audit - streams only mboxes
    std::size_t block = 1 + data[size - 1] % 97;
    (void)streamed(in, block, 64);  // over-long messages: bounds only
    bool counted = false;
    for (std::size_t i = 0; i + 15 <= size && !counted; ++i)
        counted = strncasecmp(in.data() + i, "Content-Length:", 15) == 0;
    if (counted) return 0;
    if (streamed(in, block, size + 1) != whole) __builtin_trap();
    return 0;
}
