// The Received tokenizer and parser on any bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "received_parser.hh"
#include "received_tokenizer.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto toks = hopscope::tokenize_received(in);
    for (const auto& t : toks.tokens)
        if (t.kind == hopscope::TokenKind::Comment) (void)hopscope::tokenize_comment(t.text);
    auto r = hopscope::parse_received(in);
    if (r.from.host && !r.from.rdns && !r.from.helo) __builtin_trap();  // host is always one of the two
    return 0;
}
