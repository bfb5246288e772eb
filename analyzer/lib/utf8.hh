// UTF-8 validity: header bytes are whatever a stranger sent; every string
// that leaves hopscope is valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace hopscope {

bool is_valid_utf8(std::string_view s);

// Replaces each invalid byte with U+FFFD.
std::string make_valid_utf8(std::string_view s);

// Decodes one code point at s[i], advancing i; returns U+FFFD for a bad byte.
char32_t next_code_point(std::string_view s, std::size_t& i);

void append_utf8(std::string& out, char32_t cp);

}  // namespace hopscope
