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

}  // namespace

bool may_attach_messages(std::string_view content_type, std::string_view body) {
    // A message whose whole body is a message, or a digest (its parts are
    // messages by default); else only a multipart can hold one.
    if (icontains(content_type, "message/rfc822") || icontains(content_type, "multipart/digest")) return true;
    if (!icontains(content_type, "multipart/")) return false;
    // Only the lines that start a part's Content-Type: one memchr per line
    // and a look at its first byte (a base64 body is a line per 77 bytes).
    std::size_t pos = 0;
    while (pos < body.size()) {
        const void* nl = std::memchr(body.data() + pos, '\n', body.size() - pos);
        std::size_t end =
            nl == nullptr ? body.size() : static_cast<std::size_t>(static_cast<const char*>(nl) - body.data());
        char c = body[pos];
        if ((c == 'C' || c == 'c') && end - pos >= 13 && iequals(body.substr(pos, 13), "Content-Type:")) {
            // the value may go on over folded lines
            std::size_t stop = end;
            while (stop + 1 < body.size() && (body[stop + 1] == ' ' || body[stop + 1] == '\t')) {
                const void* next = std::memchr(body.data() + stop + 1, '\n', body.size() - stop - 1);
                stop = next == nullptr ? body.size()
                                       : static_cast<std::size_t>(static_cast<const char*>(next) - body.data());
            }
            std::string_view value = body.substr(pos + 13, stop - pos - 13);
            if (icontains(value, "message/rfc822") || icontains(value, "multipart/digest")) return true;
            end = stop;
        }
        pos = end + 1;
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
