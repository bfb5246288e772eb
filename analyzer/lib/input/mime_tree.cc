#include "input/mime_tree.hh"

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

// The header block is split as the trace splits it; it is taken only when
// GMime, reading the whole message, would end it at the same blank line.
bool mime_part_bytes(std::string_view message, std::string& out) {
    HeaderBlock block = split_header_block(message);
    if (block.fields.empty() || !block.anomalies.empty()) return false;
    if (block.input_kind != "message" && block.input_kind != "mbox-message") return false;
    const char* begin = message.data();
    const char* end = begin + message.size();
    // The first field at the start of the message, or of the line after an
    // mbox "From " line that starts it: no preamble, indentation or
    // byte-order mark.
    if (block.input_kind == "mbox-message" && !message.starts_with("From ")) return false;
    const char* first = block.fields.front().name.data();
    const char* expected = block.input_kind == "message" ? begin : after_line(begin, end);
    if (first != expected) return false;
    // The blank line ends the last field's lines and holds nothing.
    const HeaderField& last = block.fields.back();
    const char* blank = after_line(last.raw.data() + last.raw.size(), end);
    std::size_t blank_size = blank < end && *blank == '\n'                              ? 1
                             : end - blank >= 2 && blank[0] == '\r' && blank[1] == '\n' ? 2
                                                                                        : 0;
    if (blank_size == 0 || begin + block.end_offset != blank + blank_size) return false;
    out.clear();
    out.reserve(message.size() - static_cast<std::size_t>(blank - begin) + 1024);
    for (const auto& f : block.fields) {
        if (f.name.size() < 8 || !iequals(f.name.substr(0, 8), "Content-")) continue;
        const char* field_end = after_line(f.raw.data() + f.raw.size(), end);
        out.append(f.name.data(), static_cast<std::size_t>(field_end - f.name.data()));
    }
    out.append(blank, static_cast<std::size_t>(end - blank));
    return true;
}

gm::Object<GMimeObject> parse_mime_tree(std::string_view message) {
    gm::ensure_initialised();
    std::string given;  // GMime's stream takes a copy
    gm::Object<GMimeStream> stream;
    bool whole = !mime_part_bytes(message, given);
    if (whole)
        stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
    else
        stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(given.data(), given.size()));
    auto parser = gm::Object<GMimeParser>::adopt(g_mime_parser_new_with_stream(stream.get()));
    if (whole) {
        auto parsed = gm::Object<GMimeMessage>::adopt(g_mime_parser_construct_message(parser.get(), nullptr));
        if (!parsed) return {};
        return gm::Object<GMimeObject>::borrow(g_mime_message_get_mime_part(parsed.get()));
    }
    return gm::Object<GMimeObject>::adopt(g_mime_parser_construct_part(parser.get(), nullptr));
}

}  // namespace hopscope
