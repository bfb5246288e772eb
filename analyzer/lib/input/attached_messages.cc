#include "input/attached_messages.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The first line start at or after `pos` (the start of `body`, or a byte
// after a '\n') whose line begins with 'C' or 'c'; body.size() when none.
std::size_t next_c_line(std::string_view body, std::size_t pos) {
    const char* base = body.data();
    std::size_t n = body.size();
    if (pos == 0 && n > 0 && (base[0] | 0x20) == 'c') return 0;
    std::size_t i = pos == 0 ? 0 : pos - 1;  // the '\n' before a line start at pos
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i c = _mm_set1_epi8('c');
    const __m128i fold = _mm_set1_epi8(0x20);
    for (; i + 17 <= n; i += 16) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
        __m128i b = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 1)), fold);
        auto mask =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, nl), _mm_cmpeq_epi8(b, c))));
        if (mask != 0) return i + 1 + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i + 1 < n; ++i)
        if (base[i] == '\n' && (base[i + 1] | 0x20) == 'c') return i + 1;
    return n;
}

}  // namespace

bool may_attach_messages(std::string_view content_type, std::string_view body) {
    // A message whose whole body is a message, or a digest (its parts are
    // messages by default); else only a multipart can hold one.
    if (icontains(content_type, "message/rfc822") || icontains(content_type, "multipart/digest")) return true;
    if (!icontains(content_type, "multipart/")) return false;
    // Only the lines that start a part's Content-Type: the line starts that
    // hold a 'C' or 'c', found sixteen positions at a time (a base64 body is
    // a line per 77 bytes). A folded value's own lines start with white space.
    std::size_t pos = 0;
    while (pos < body.size()) {
        pos = next_c_line(body, pos);
        if (pos >= body.size()) break;
        const void* nl = std::memchr(body.data() + pos, '\n', body.size() - pos);
        std::size_t end =
            nl == nullptr ? body.size() : static_cast<std::size_t>(static_cast<const char*>(nl) - body.data());
        if (end - pos >= 13 && iequals(body.substr(pos, 13), "Content-Type:")) {
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
