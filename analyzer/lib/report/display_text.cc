#include "report/display_text.hh"

#include <unicode/uchar.h>
#include <unicode/uidna.h>

#include <array>
#include <cstdio>
#include <memory>

#include "base/utf8.hh"
#include "input/header_block.hh"

namespace hopscope {
namespace {

bool must_escape(char32_t cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

std::size_t width_of(char32_t cp) {
    auto c = static_cast<UChar32>(cp);
    int gc = u_charType(c);
    if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK || gc == U_FORMAT_CHAR) return 0;
    int ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    return (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
}

struct IdnaCloser {
    void operator()(UIDNA* p) const { uidna_close(p); }
};

}  // namespace

std::string escape_for_terminal(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t before = i;
        char32_t cp = next_code_point(s, i);
        std::array<char, 16> buf{};
        if (cp == '\t') {
            out.push_back(' ');  // folding white space is white space, not a control to show
        } else if (cp == 0xFFFD && i - before == 1) {
            (void)std::snprintf(buf.data(), buf.size(), "\\x%02X", static_cast<unsigned char>(s[before]));
            out += buf.data();
        } else if (must_escape(cp)) {
            if (cp < 0x100)
                (void)std::snprintf(buf.data(), buf.size(), "\\x%02X", static_cast<unsigned>(cp));
            else
                (void)std::snprintf(buf.data(), buf.size(), "\\u{%04X}", static_cast<unsigned>(cp));
            out += buf.data();
        } else {
            out.append(s.substr(before, i - before));
        }
    }
    return out;
}

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    std::size_t i = 0;
    while (i < s.size()) w += width_of(next_code_point(s, i));
    return w;
}

std::string wrapped(std::string_view lead, std::string_view text, std::size_t width) {
    const std::size_t indent = display_width(lead);
    std::string out(lead);
    if (width == 0 || indent + display_width(text) <= width || indent + 20 > width) {
        out.append(text).push_back('\n');
        return out;
    }
    std::size_t used = indent;
    bool first = true;
    while (!text.empty()) {
        const std::size_t space = text.find(' ');
        const std::string_view word = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        const std::size_t w = display_width(word);
        if (!first && used + 1 + w > width) {
            out.push_back('\n');
            out.append(indent, ' ');
            used = indent;
            first = true;
        }
        if (!first) {
            out.push_back(' ');
            ++used;
        }
        out.append(word);
        used += w;
        first = false;
    }
    out.push_back('\n');
    return out;
}

std::string fit_width(std::string_view s, std::size_t width) {
    if (display_width(s) <= width) return std::string(s);
    std::string out;
    std::size_t w = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t before = i;
        std::size_t cw = width_of(next_code_point(s, i));
        if (w + cw + 1 > width) break;
        w += cw;
        out.append(s.substr(before, i - before));
    }
    return out + "\u2026";
}

std::string pad(std::string_view s, std::size_t width, bool right) {
    std::size_t w = display_width(s);
    std::string fill(w < width ? width - w : 0, ' ');
    return right ? fill + std::string(s) : std::string(s) + fill;
}

std::string host_for_display(std::string_view host) {
    // Only names with an "xn--" label need ICU.
    bool ace = false;
    for (std::size_t i = 0; i + 4 <= host.size(); ++i)
        if ((i == 0 || host[i - 1] == '.') && iequals(host.substr(i, 4), "xn--")) ace = true;
    if (!ace || host.size() > 253) return std::string(host);
    UErrorCode status = U_ZERO_ERROR;
    static thread_local std::unique_ptr<UIDNA, IdnaCloser> idna(uidna_openUTS46(UIDNA_DEFAULT, &status));
    if (!idna) return std::string(host);
    status = U_ZERO_ERROR;
    std::array<char, 1024> buf{};
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    int32_t n = uidna_nameToUnicodeUTF8(idna.get(), host.data(), static_cast<int32_t>(host.size()), buf.data(),
                                        static_cast<int32_t>(buf.size()), &info, &status);
    if (U_FAILURE(status) || info.errors != 0 || n <= 0 || n >= static_cast<int32_t>(buf.size()))
        return std::string(host);
    return {buf.data(), static_cast<std::size_t>(n)};
}

}  // namespace hopscope
