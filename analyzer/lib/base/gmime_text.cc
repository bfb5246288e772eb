#include "base/gmime_text.hh"

#include <mutex>

#include "base/gmime_types.hh"
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
        return o;
    }();
    return options.get();
}

}  // namespace

std::string decode_header_text(std::string_view unfolded) {
    // Printable ASCII without an encoded word is its own decoding (checked
    // against GMime on every such Subject/From/To/Cc of the external corpus).
    bool plain = ascii_prefix(unfolded) == unfolded.size() && unfolded.find("=?") == std::string_view::npos;
    for (std::size_t i = 0; plain && i < unfolded.size(); ++i)
        plain = static_cast<unsigned char>(unfolded[i]) >= 0x20 || unfolded[i] == '\t';
    if (plain) {
        std::size_t start = unfolded.find_first_not_of(" \t");
        return start == std::string_view::npos ? std::string() : std::string(unfolded.substr(start));
    }
    return decode_header_text_gmime(unfolded);
}

std::string decode_header_text_gmime(std::string_view unfolded) {
    std::string buf(unfolded);
    // NUL bytes would cut the C string short; GMime never sees them.
    for (char& c : buf)
        if (c == '\0') c = ' ';
    gm::CString decoded(g_mime_utils_header_decode_text(parser_options(), buf.c_str()));
    std::string out = gm::to_string(decoded);
    // Drop leading white space left after the colon.
    std::size_t start = out.find_first_not_of(" \t");
    return start == std::string::npos ? std::string() : out.substr(start);
}

}  // namespace hopscope
