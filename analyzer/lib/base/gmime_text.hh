// Header text decoding through GMime: RFC 2047 encoded words, 8-bit
// charsets with a fallback list, always returning valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace hopscope {

// Decodes an unstructured header value (Subject, From, To, ...) to UTF-8.
std::string decode_header_text(std::string_view unfolded);

// The same, always through GMime (decode_header_text skips it for plain
// ASCII); tests hold the two to the same answers.
std::string decode_header_text_gmime(std::string_view unfolded);

}  // namespace hopscope
