// The MIME tree of a message (parse_mime_tree, which gives GMime only the
// Content-* fields and the body when the header block allows) must be the
// tree GMime reads from the whole message, part for part and byte for byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/gmime_types.hh"
#include "input/mime_tree.hh"

namespace {
std::string text_of(GMimeObject* part) {
    if (part == nullptr) return "(no part)";
    hopscope::gm::CString s(g_mime_object_to_string(part, nullptr));
    return hopscope::gm::to_string(s);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace hopscope;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto top = parse_mime_tree(in);
    gm::ensure_initialised();
    auto stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(in.data(), in.size()));
    auto parser = gm::Object<GMimeParser>::adopt(g_mime_parser_new_with_stream(stream.get()));
    auto parsed = gm::Object<GMimeMessage>::adopt(g_mime_parser_construct_message(parser.get(), nullptr));
    std::string whole = parsed ? text_of(g_mime_message_get_mime_part(parsed.get())) : "(no part)";
    if (text_of(top.get()) != whole) __builtin_trap();
    return 0;
}
