#include "base/gmime_text.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <mutex>
#include <utility>

#include "base/charset_pin.hh"
#include "base/gmime_types.hh"
#include "base/string_memo.hh"
#include "base/utf8.hh"

namespace hopscope {
namespace gm {

void ensure_initialised() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

}  // namespace gm

namespace {

// Options shared by every thread: GMime only reads them.
GMimeParserOptions* parser_options() {
    static gm::ParserOptions options = [] {
        gm::ensure_initialised();
        gm::ParserOptions o(g_mime_parser_options_new());
        // Undeclared 8-bit text: UTF-8 first, then the commonest legacy charset.
        static const char* fallback[] = {"UTF-8", "windows-1252", nullptr};
        g_mime_parser_options_set_fallback_charsets(o.get(), fallback);
        keep_charset_loaded("windows-1252");
        return o;
    }();
    return options.get();
}

// Printable ASCII and tabs only: sixteen bytes a test.
bool printable_ascii(std::string_view s) {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i tab = _mm_set1_epi8('\t');
    for (; i + 16 <= s.size(); i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        // Signed: bytes from 0x80 up are negative, so below 0x20 too.
        __m128i bad = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab), _mm_cmplt_epi8(v, space));
        if (_mm_movemask_epi8(bad) != 0) return false;
    }
#endif
    for (; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((c < 0x20 && c != '\t') || c >= 0x80) return false;
    }
    return true;
}

// Printable ASCII without an encoded word is its own decoding (checked
// against GMime on every such Subject/From/To/Cc of the external corpus).
bool is_own_decoding(std::string_view unfolded) {
    return printable_ascii(unfolded) && unfolded.find("=?") == std::string_view::npos;
}

}  // namespace

std::string decode_header_text(std::string_view unfolded) {
    if (is_own_decoding(unfolded)) {
        std::size_t start = unfolded.find_first_not_of(" \t");
        return start == std::string_view::npos ? std::string() : std::string(unfolded.substr(start));
    }
    return decode_header_text_gmime(unfolded);
}

std::string decode_header_text_gmime(std::string_view unfolded) {
    // Remembered per thread: a mailbox repeats its senders' encoded names,
    // its threads' subjects and their long Cc lists, and a decoding costs
    // GMime from tens to hundreds of thousands of instructions. The answer
    // depends on the text alone. Bounded: at most 8 MB of short texts and
    // 16 MB of long ones per thread; longer texts are not kept.
    thread_local StringMemo<std::string, 4096> short_texts;  // up to 2 KB
    thread_local StringMemo<std::string, 16> long_texts;     // up to 1 MB
    auto* memo = unfolded.size() <= 2048 ? &short_texts : nullptr;
    auto* long_memo = memo == nullptr && unfolded.size() <= (1U << 20) ? &long_texts : nullptr;
    if (memo != nullptr)
        if (const std::string* hit = memo->find(unfolded)) return *hit;
    if (long_memo != nullptr)
        if (const std::string* hit = long_memo->find(unfolded)) return *hit;
    std::string buf(unfolded);
    // NUL bytes would cut the C string short; GMime never sees them.
    for (char& c : buf)
        if (c == '\0') c = ' ';
    keep_encoded_word_charsets_loaded(buf);
    gm::CString decoded(g_mime_utils_header_decode_text(parser_options(), buf.c_str()));
    std::string out = gm::to_string(decoded);
    // Drop leading white space left after the colon.
    std::size_t start = out.find_first_not_of(" \t");
    std::string text = start == std::string::npos ? std::string() : out.substr(start);
    if (memo != nullptr) return memo->put(unfolded, std::move(text));
    if (long_memo != nullptr) return long_memo->put(unfolded, std::move(text));
    return text;
}

}  // namespace hopscope
