// summarize's reader of audit records on any bytes (one line), and what it
// read through the summary and the CSV row: never a crash, and a record
// read is always one the summary can take.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "report/audit_record_reader.hh"
#include "report/audit_summary.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static hopscope::AuditRecordReader reader;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto r = reader.read(in);
    if (!r) {
        if (r.error().message.empty()) __builtin_trap();  // every refusal says why
        return 0;
    }
    hopscope::AuditSummary s;
    s.add(r->figures, r->source());
    s.add(r->figures, r->source());
    (void)s.render();
    (void)s.render_json();
    (void)hopscope::csv_row(r->row, r->source(), r->error);
    if (s.messages() != 2) __builtin_trap();
    return 0;
}
