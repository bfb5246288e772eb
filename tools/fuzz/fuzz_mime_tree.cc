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
    if (text_of(parse_mime_tree(in).get()) != text_of(whole_message_tree(in).get())) __builtin_trap();
    return 0;
}
