// serve's multipart/form-data reader on any body, under a fixed and a
// fuzzed boundary: bounded fields, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "input/form_data.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto fields = hopscope::read_form_data("multipart/form-data; boundary=----hopscopefuzz", in);
    if (fields.size() > hopscope::kMaxFormFields) __builtin_trap();
    // The first line as the Content-Type itself, the rest as the body.
    auto nl = in.find('\n');
    if (nl != std::string_view::npos) {
        fields = hopscope::read_form_data(in.substr(0, nl), in.substr(nl + 1));
        if (fields.size() > hopscope::kMaxFormFields) __builtin_trap();
    }
    return 0;
}
