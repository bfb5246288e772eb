// Paste normaliser and header-block extraction: any bytes in, a bounded
// list of fields out; every field view lies inside the input. A repaired
// paste (double-spaced, CR-only) is never longer than the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "input/header_block.hh"
#include "input/paste_normaliser.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto block = hopscope::split_header_block(in);
    for (const auto& f : block.fields) {
        if (f.name.data() < in.data() || f.name.data() + f.name.size() > in.data() + in.size()) __builtin_trap();
        if (f.raw.data() < in.data() || f.raw.data() + f.raw.size() > in.data() + in.size()) __builtin_trap();
        (void)hopscope::unfold_collapsed(f.raw);
    }
    if (auto repaired = hopscope::repair_paste_lines(in)) {
        if (repaired->text.size() > in.size()) __builtin_trap();
        (void)hopscope::split_header_block(repaired->text);
    }
    return 0;
}
