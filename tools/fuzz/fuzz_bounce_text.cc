// The prose bounce readers (Microsoft's NDR layouts, Exchange 5.5, Exim,
// qmail, Postfix, Sendmail, Gmail, DragonFly, appliance notices) and the
// notices of success and delay (Microsoft's "Delivered:", "Relayed:",
// "Delivery delayed:" texts, read by read_text_bounce and
// read_microsoft_ndr) on any text, and the whole bounce reader on the same
// bytes as a message: bounded recipients and fields, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "input/bounce_reader.hh"
#include "input/text_bounce.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    hopscope::BounceReport microsoft;
    (void)hopscope::read_microsoft_ndr(in, microsoft);
    hopscope::BounceReport prose;
    (void)hopscope::read_text_bounce(in, prose);
    for (const auto* r : {&microsoft, &prose}) {
        if (r->recipients.size() > 200) __builtin_trap();
        for (const auto& x : r->recipients)
            if (x.diagnostic && x.diagnostic->size() > hopscope::kMaxBounceField) __builtin_trap();
    }
    (void)hopscope::read_bounce(in);
    return 0;
}
