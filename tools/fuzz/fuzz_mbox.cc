// The mbox splitter: spans are contiguous, inside the input, and progress.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "input/mbox_splitter.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    (void)hopscope::looks_like_mbox(in);
    hopscope::MboxSplitter s(in);
    std::size_t expect = in.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    while (auto span = s.next()) {
        if (span->offset != expect || span->length == 0 || span->offset + span->length > size) __builtin_trap();
        expect = span->offset + span->length;
    }
    if (expect != size && size > 3) __builtin_trap();
    return 0;
}
