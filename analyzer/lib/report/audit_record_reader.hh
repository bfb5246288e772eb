// Reads back one line of `audit --format jsonl`: what the summary and the CSV
// row need, so `summarize` over records prints what `audit` printed over the
// messages. Pure: a line in, values out. simdjson's On-Demand parser, chosen
// by measurement: over 27,090 real-mail records (183 MB) taking the same
// fields, 0.12 s against RapidJSON's DOM 1.26 s and nlohmann/json's 2.06 s.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"
#include "report/audit_record.hh"

namespace hopscope {

struct ReadRecord {
    std::string path;
    std::optional<std::uint64_t> offset;
    std::optional<std::uint64_t> index;
    std::string folder;                 // a PST/OST item's folder
    std::optional<std::uint32_t> item;  // and node id
    std::optional<std::string> error;
    std::optional<std::string> skipped;  // an item that is no e-mail message: what it is
    AuditFigures figures;                // roles in figures.delays are audit_roles()' own text
    AuditRow row;

    [[nodiscard]] MessageSource source() const { return {path, offset, index, folder, item}; }
};

// Keeps the parser's buffers between lines: one per thread.
class AuditRecordReader {
  public:
    AuditRecordReader();
    ~AuditRecordReader();
    AuditRecordReader(const AuditRecordReader&) = delete;
    AuditRecordReader& operator=(const AuditRecordReader&) = delete;

    // One record, or why the line is not one (not JSON, another schema, a
    // member of the wrong type). Never throws.
    Result<ReadRecord> read(std::string_view line);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// What a JSON document printed over several lines is, for the error that
// says it holds no records: "a trace (hopscope trace --format json)", "an
// audit summary (hopscope audit --format json)", "an audit record printed
// over several lines" or "a JSON document". Never throws.
std::string describe_json_document(std::string_view text);

}  // namespace hopscope
