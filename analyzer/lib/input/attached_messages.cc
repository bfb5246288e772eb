#include "input/attached_messages.hh"

#include <cstring>

#include "base/gmime_types.hh"
#include "input/header_block.hh"

namespace hopscope {
namespace {

constexpr int kMaxDepth = 4;  // a message attached to one attached to one ...
constexpr std::size_t kMaxMessages = 64;
constexpr int kMaxParts = 512;  // parts looked at, all levels together

struct Walk {
    int parts = 0;
    std::size_t messages = 0;
};

void visit(GMimeObject* object, int depth, std::vector<AttachedMessage>& out, Walk& w);

void visit_message(GMimeMessage* message, int depth, std::vector<AttachedMessage>& out, Walk& w) {
    if (message == nullptr || w.messages >= kMaxMessages) return;
    ++w.messages;
    AttachedMessage m;
    gm::CString headers(g_mime_object_get_headers(GMIME_OBJECT(message), nullptr));
    m.headers = gm::to_string(headers) + "\n";
    if (depth < kMaxDepth) visit(g_mime_message_get_mime_part(message), depth + 1, m.attached, w);
    out.push_back(std::move(m));
}

void visit(GMimeObject* object, int depth, std::vector<AttachedMessage>& out, Walk& w) {
    if (object == nullptr || ++w.parts > kMaxParts) return;
    if (GMIME_IS_MULTIPART(object)) {
        GMimeContentType* type = g_mime_object_get_content_type(object);
        // A delivery report's message/rfc822 is the message it returns: the bounce's.
        if (type != nullptr && g_mime_content_type_is_type(type, "multipart", "report")) return;
        auto* multipart = GMIME_MULTIPART(object);
        int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count && w.parts <= kMaxParts && w.messages < kMaxMessages; ++i)
            visit(g_mime_multipart_get_part(multipart, i), depth, out, w);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(object))
        visit_message(g_mime_message_part_get_message(GMIME_MESSAGE_PART(object)), depth, out, w);
}

// Whether the "822" at `digits` ends a case-blind "message/rfc822".
bool names_rfc822_at(std::string_view s, std::size_t digits) {
    static constexpr std::string_view kType = "message/rfc";
    if (digits < kType.size()) return false;
    return iequals(s.substr(digits - kType.size(), kType.size()), kType);
}

}  // namespace

bool may_attach_messages(std::string_view body) {
    // "822" is rare in a body: memmem finds each, then the type before it is checked.
    const char* p = body.data();
    const char* end = p + body.size();
    while (p < end) {
        const void* hit = memmem(p, static_cast<std::size_t>(end - p), "822", 3);
        if (hit == nullptr) return false;
        auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - body.data());
        if (names_rfc822_at(body, at)) return true;
        p = static_cast<const char*>(hit) + 3;
    }
    return false;
}

std::vector<AttachedMessage> read_attached_messages(std::string_view message) {
    std::vector<AttachedMessage> out;
    gm::ensure_initialised();
    auto stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
    auto parser = gm::Object<GMimeParser>::adopt(g_mime_parser_new_with_stream(stream.get()));
    auto parsed = gm::Object<GMimeMessage>::adopt(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!parsed) return out;
    Walk w;
    visit(g_mime_message_get_mime_part(parsed.get()), 0, out, w);
    return out;
}

}  // namespace hopscope
