#include "input/mime_tree.hh"

#include <algorithm>
#include <cstring>
#include <string>

#include "input/header_block.hh"

namespace hopscope {
namespace {

// Where the line holding `at` ends: after its '\n', or the end.
const char* after_line(const char* at, const char* end) {
    const void* nl = std::memchr(at, '\n', static_cast<std::size_t>(end - at));
    return nl == nullptr ? end : static_cast<const char*>(nl) + 1;
}

}  // namespace

// GMime reads its stream in blocks of 4096 bytes (while it reads a header
// block, a refill carries at most 128 bytes over), and where a body line
// meets the end of a read decides how it reads that line (a boundary
// there, or not). So the body is given at the offset it has in the
// message: the fields left out are replaced, after the first Content-*
// field, by lines of the same length that GMime (3.2.6 and later) reads as
// no field and drops without making an object of them.
//
// A header block that GMime could end or read otherwise is given whole:
// one a paste's preamble, indentation or a byte-order mark starts, one with
// a line that lost its indentation, white space on its blank line, no blank
// line, a truncated one; one whose reading could move GMime's reads (a
// field whose colon is kMaxNameLine bytes or more into its line, an mbox
// "From " line longer than that); and one without a Content-* field (the
// lines GMime drops need a field before them).
constexpr std::size_t kMaxNameLine = 100;

bool mime_part_bytes(std::string_view message, std::string& out) {
    HeaderBlock block = split_header_block(message);
    if (block.fields.empty() || !block.anomalies.empty()) return false;
    if (block.input_kind != "message" && block.input_kind != "mbox-message") return false;
    const char* begin = message.data();
    const char* end = begin + message.size();
    // The first field at the start of the message, or of the line after an
    // mbox "From " line that starts it.
    if (block.input_kind == "mbox-message" && !message.starts_with("From ")) return false;
    const char* first = block.fields.front().name.data();
    const char* expected = block.input_kind == "message" ? begin : after_line(begin, end);
    if (first != expected || static_cast<std::size_t>(first - begin) > kMaxNameLine) return false;
    // The blank line ends the last field's lines and holds nothing.
    const HeaderField& last = block.fields.back();
    const char* blank = after_line(last.raw.data() + last.raw.size(), end);
    std::size_t blank_size = blank < end && *blank == '\n'                              ? 1
                             : end - blank >= 2 && blank[0] == '\r' && blank[1] == '\n' ? 2
                                                                                        : 0;
    if (blank_size == 0 || begin + block.end_offset != blank + blank_size) return false;
    out.clear();
    out.reserve(message.size());
    std::size_t left_out = static_cast<std::size_t>(first - begin);  // the "From " line, if any
    auto pad = [&] {
        // Lines of 'x' of at most kMaxNameLine bytes, none shorter than two.
        while (left_out > 0) {
            std::size_t n = std::min(left_out, kMaxNameLine);
            if (left_out - n == 1) --n;
            out.append(n - 1, 'x').push_back('\n');
            left_out -= n;
        }
    };
    bool any_content = false;
    for (const auto& f : block.fields) {
        if (static_cast<std::size_t>(f.raw.data() - f.name.data()) > kMaxNameLine) return false;
        const char* field_end = after_line(f.raw.data() + f.raw.size(), end);
        auto size = static_cast<std::size_t>(field_end - f.name.data());
        if (!istarts_with(f.name, "Content-")) {
            left_out += size;
            continue;
        }
        out.append(f.name.data(), size);
        if (!any_content) pad();  // after the first Content-* field, which starts the part's header
        any_content = true;
    }
    if (!any_content) return false;
    pad();
    out.append(blank, static_cast<std::size_t>(end - blank));
    return true;
}

gm::Object<GMimeObject> whole_message_tree(std::string_view message) {
    gm::ensure_initialised();
    auto stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
    auto parser = gm::Object<GMimeParser>::adopt(g_mime_parser_new_with_stream(stream.get()));
    auto parsed = gm::Object<GMimeMessage>::adopt(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!parsed) return {};
    return gm::Object<GMimeObject>::borrow(g_mime_message_get_mime_part(parsed.get()));
}

gm::Object<GMimeObject> parse_mime_tree(std::string_view message) {
    std::string given;  // GMime's stream takes a copy
    if (!mime_part_bytes(message, given)) return whole_message_tree(message);
    gm::ensure_initialised();
    auto stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(given.data(), given.size()));
    auto parser = gm::Object<GMimeParser>::adopt(g_mime_parser_new_with_stream(stream.get()));
    return gm::Object<GMimeObject>::adopt(g_mime_parser_construct_part(parser.get(), nullptr));
}

}  // namespace hopscope
