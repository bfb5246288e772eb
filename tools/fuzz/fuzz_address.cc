// The From address reader on any bytes: never a crash, and the plain-form
// fast path held to GMime's answer wherever it answers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/address.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto general = hopscope::first_addr_spec_gmime(in);
    if (auto fast = hopscope::simple_addr_spec(in)) {
        if (fast != general) __builtin_trap();  // the two readers disagree
    }
    if (general && general->find('@') == std::string::npos) __builtin_trap();
    return 0;
}
