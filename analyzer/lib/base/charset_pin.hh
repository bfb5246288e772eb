// Keeps glibc's converter for a charset loaded for the life of the process.
#pragma once

#include <string_view>

namespace hopscope {

// glibc loads a gconv module on iconv_open and unloads it soon after the last
// descriptor using it is closed. GMime and GLib open and close one per
// conversion, so a mailbox of mixed charsets loaded and unloaded the same
// modules hundreds of times: a dlopen and a munmap each, under the loader's
// lock, and on a multi-core audit a TLB shootdown on every other core.
// Holding one descriptor per charset open keeps each module loaded once.
// Cheap to call again; unknown names and more than a few hundred charsets
// are ignored.
void keep_charset_loaded(std::string_view charset);

// Calls keep_charset_loaded for the charset of every RFC 2047 encoded word
// ("=?charset?" or "=?charset*lang?") in a header value.
void keep_encoded_word_charsets_loaded(std::string_view header_value);

}  // namespace hopscope
