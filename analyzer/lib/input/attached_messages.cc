#include "input/attached_messages.hh"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "base/gmime_types.hh"
#include "input/header_block.hh"
#include "input/mime_tree.hh"

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

// The first line start at or after `pos` whose first byte is `First`;
// body.size() when none.
// A line start is the start of `body` or a byte after a '\n'. Bodies are
// mostly base64 lines of 77 bytes, so the line breaks are looked at 64
// positions a step (AVX2) or 16 (SSE2), never one by one.
template <char First>
std::size_t next_line_with_sse2(std::string_view body, std::size_t i) {
    const char* base = body.data();
    std::size_t n = body.size();
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i want = _mm_set1_epi8(First);
    for (; i + 17 <= n; i += 16) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 1));
        auto mask =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, nl), _mm_cmpeq_epi8(b, want))));
        if (mask != 0) return i + 1 + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i + 1 < n; ++i)
        if (base[i] == '\n' && base[i + 1] == First) return i + 1;
    return n;
}

#if defined(__x86_64__)
// Returns a line start found, or where the SSE2 search is to go on (`hit` false).
template <char First>
__attribute__((target("avx2"))) std::size_t next_line_with_avx2(std::string_view body, std::size_t i, bool& hit) {
    const char* base = body.data();
    std::size_t n = body.size();
    const __m256i nl = _mm256_set1_epi8('\n');
    const __m256i want = _mm256_set1_epi8(First);
    for (; i + 65 <= n; i += 64) {
        const auto* p = reinterpret_cast<const __m256i*>(base + i);
        const auto* q = reinterpret_cast<const __m256i*>(base + i + 1);
        const auto* r = reinterpret_cast<const __m256i*>(base + i + 33);
        __m256i low = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_loadu_si256(p), nl),
                                       _mm256_cmpeq_epi8(_mm256_loadu_si256(q), want));
        __m256i high = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_loadu_si256(p + 1), nl),
                                        _mm256_cmpeq_epi8(_mm256_loadu_si256(r), want));
        __m256i any = _mm256_or_si256(low, high);
        if (_mm256_testz_si256(any, any) == 0) {
            std::uint64_t mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(low)) |
                                 (std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(high))} << 32U);
            hit = true;
            return i + 1 + static_cast<std::size_t>(__builtin_ctzll(mask));
        }
    }
    return i;
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2") != 0;
#endif

template <char First>
std::size_t next_line_with(std::string_view body, std::size_t pos) {
    if (pos == 0 && !body.empty() && body[0] == First) return 0;
    std::size_t i = pos == 0 ? 0 : pos - 1;  // the '\n' before a line start at pos
#if defined(__x86_64__)
    if (kHasAvx2) {
        bool hit = false;
        i = next_line_with_avx2<First>(body, i, hit);
        if (hit) return i;
    }
#endif
    return next_line_with_sse2<First>(body, i);
}

bool names_messages(std::string_view value) {
    return icontains(value, "message/rfc822") || icontains(value, "multipart/digest");
}

// The part header blocks GMime reads follow a boundary line: "--" and the
// boundary at a line start. Every line that starts with "--" is taken for
// one (some are not: a signature's "-- ", a row of dashes), and the lines
// after it up to a blank line are read for a Content-Type; nothing else is
// read, so a base64 attachment, which never holds a '-', is passed over 64
// bytes a step. Every line GMime could take for a part's Content-Type is
// read, and some more: a body this says no to has no attached message GMime
// would find.
//
// The "--" lines come from `noted` (offsets in the message, less `shift` in
// the body) where the splitter noted them, else from a search of the body.
bool part_header_names_messages(std::string_view body, const std::vector<std::uint32_t>* noted, std::size_t shift) {
    std::size_t scanned = 0;  // header lines before it were read already
    std::size_t pos = 0;
    auto next_noted = noted != nullptr ? noted->begin() : std::vector<std::uint32_t>::const_iterator{};
    while (true) {
        std::size_t at = body.size();
        if (noted == nullptr) {
            at = next_line_with<'-'>(body, pos);
        } else {
            while (next_noted != noted->end() && *next_noted < pos + shift) ++next_noted;
            if (next_noted != noted->end()) at = *next_noted - shift;
        }
        if (at + 1 >= body.size()) return false;
        if (body[at + 1] != '-') {
            pos = at + 1;
            continue;
        }
        // The header lines: from the line after this one to a blank line
        // (lines read after an earlier one are not read again).
        const void* nl = std::memchr(body.data() + at, '\n', body.size() - at);
        if (nl == nullptr) return false;
        pos = std::max(static_cast<std::size_t>(static_cast<const char*>(nl) - body.data()) + 1, scanned);
        while (pos < body.size() && body[pos] != '\n' &&
               !(body[pos] == '\r' && pos + 1 < body.size() && body[pos + 1] == '\n')) {
            const void* eol = std::memchr(body.data() + pos, '\n', body.size() - pos);
            std::size_t end =
                eol == nullptr ? body.size() : static_cast<std::size_t>(static_cast<const char*>(eol) - body.data());
            // Content-Type, with blanks before the colon as GMime allows
            std::size_t colon = pos + 12;
            if (end - pos >= 13 && iequals(body.substr(pos, 12), "Content-Type"))
                while (colon < end && (body[colon] == ' ' || body[colon] == '\t')) ++colon;
            else
                colon = end;
            if (colon < end && body[colon] == ':') {
                std::size_t stop = end;  // the value may go on over folded lines
                while (stop + 1 < body.size() && (body[stop + 1] == ' ' || body[stop + 1] == '\t')) {
                    const void* next = std::memchr(body.data() + stop + 1, '\n', body.size() - stop - 1);
                    stop = next == nullptr ? body.size()
                                           : static_cast<std::size_t>(static_cast<const char*>(next) - body.data());
                }
                if (names_messages(body.substr(colon + 1, stop - colon - 1))) return true;
                end = stop;
            }
            pos = end + 1;
        }
        scanned = std::max(scanned, pos);
    }
}

}  // namespace

bool may_attach_messages(std::string_view content_type, std::string_view body, const DashLines* dashes,
                         std::size_t body_offset) {
    // A message whose whole body is a message, or a digest (its parts are
    // messages by default); else only a multipart can hold one.
    if (names_messages(content_type)) return true;
    if (!icontains(content_type, "multipart/")) return false;
    bool covered = dashes != nullptr && dashes->from <= body_offset;
    return part_header_names_messages(body, covered ? &dashes->at : nullptr, body_offset);
}

std::vector<AttachedMessage> read_attached_messages(std::string_view message) {
    std::vector<AttachedMessage> out;
    auto top = parse_mime_tree(message);
    if (!top) return out;
    Walk w;
    visit(top.get(), 0, out, w);
    return out;
}

}  // namespace hopscope
