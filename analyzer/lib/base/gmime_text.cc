#include "base/gmime_text.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// One encoded-word of RFC 2047: "=?charset?B?text?=".
struct EncodedWord {
    std::size_t begin = 0, end = 0;  // the word's bytes in the text
    std::string_view charset, text;
    char encoding = 0;  // 'B' or 'Q', upper case
};

std::optional<EncodedWord> encoded_word_at(std::string_view s, std::size_t at) {
    EncodedWord w;
    w.begin = at;
    std::size_t q1 = s.find('?', at + 2);
    if (q1 == std::string_view::npos || q1 + 3 > s.size() || s[q1 + 2] != '?') return std::nullopt;
    w.charset = s.substr(at + 2, q1 - at - 2);
    w.encoding = static_cast<char>(s[q1 + 1] & ~0x20);
    std::size_t close = s.find("?=", q1 + 3);
    if (w.charset.empty() || close == std::string_view::npos) return std::nullopt;
    w.text = s.substr(q1 + 3, close - q1 - 3);
    if (w.text.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
    w.end = close + 2;
    return w;
}

// GMime 3.2.13 (Debian 12) decodes adjacent B-encoded words of one charset
// as one base64 text, so a word ending in '=' padding cuts off the words
// after it ("=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=" reads "Hello";
// https://github.com/jstedfast/gmime/issues/133, fixed in later GMime).
// Such a run is given to GMime as one word of the words' bytes together,
// as later GMime decodes it. Empty when the text has no such run.
std::string join_padded_b_words(std::string_view s) {
    std::vector<EncodedWord> words;
    for (std::size_t at = s.find("=?"); at != std::string_view::npos && words.size() < 4096;) {
        auto w = encoded_word_at(s, at);
        if (!w) {
            at = s.find("=?", at + 2);
            continue;
        }
        words.push_back(*w);
        at = s.find("=?", w->end);
    }
    auto joins = [&](const EncodedWord& a, const EncodedWord& b) {
        return a.encoding == 'B' && b.encoding == 'B' && a.charset.size() == b.charset.size() &&
               g_ascii_strncasecmp(a.charset.data(), b.charset.data(), a.charset.size()) == 0 &&
               s.substr(a.end, b.begin - a.end).find_first_not_of(" \t\r\n") == std::string_view::npos;
    };
    std::string out;
    std::size_t copied = 0;
    for (std::size_t i = 0; i < words.size();) {
        std::size_t j = i;
        bool padded = false;
        while (j + 1 < words.size() && joins(words[j], words[j + 1])) {
            padded = padded || words[j].text.ends_with('=');
            ++j;
        }
        if (!padded) {
            i = j + 1;
            continue;
        }
        std::string bytes;
        for (std::size_t k = i; k <= j; ++k) {
            std::string text(words[k].text);
            gsize n = 0;
            gm::Bytes decoded(g_base64_decode(text.c_str(), &n));
            if (decoded) bytes.append(reinterpret_cast<const char*>(decoded.get()), n);
        }
        gm::CString encoded(g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size()));
        out.append(s.substr(copied, words[i].begin - copied));
        out.append("=?").append(words[i].charset).append("?B?").append(encoded ? encoded.get() : "").append("?=");
        copied = words[j].end;
        i = j + 1;
    }
    if (copied == 0) return {};
    out.append(s.substr(copied));
    return out;
}

}  // namespace

std::string decode_header_text(std::string_view unfolded) {
    if (is_own_decoding(unfolded)) {
        std::size_t start = unfolded.find_first_not_of(" \t");
        if (start == std::string_view::npos) return {};
        return std::string(unfolded.substr(start, unfolded.find_last_not_of(" \t") + 1 - start));
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
    // Only a B-encoded word's '=' padding puts "=?=" in a text: without it
    // there is nothing to join, and the words are not looked for.
    std::string buf = unfolded.find("=?=") != std::string_view::npos ? join_padded_b_words(unfolded) : std::string();
    if (buf.empty()) buf = unfolded;
    // NUL bytes would cut the C string short; GMime never sees them.
    for (char& c : buf)
        if (c == '\0') c = ' ';
    keep_encoded_word_charsets_loaded(buf);
    gm::CString decoded(g_mime_utils_header_decode_text(parser_options(), buf.c_str()));
    std::string out = gm::to_string(decoded);
    // Drop leading white space left after the colon, and line breaks or
    // white space an encoded word ends with.
    std::size_t start = out.find_first_not_of(" \t");
    std::string text = start == std::string::npos ? std::string() : out.substr(start);
    text.erase(text.find_last_not_of(" \t\r\n") + 1);
    if (memo != nullptr) return memo->put(unfolded, std::move(text));
    if (long_memo != nullptr) return long_memo->put(unfolded, std::move(text));
    return text;
}

}  // namespace hopscope
