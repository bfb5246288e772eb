// One message of an audit: analysed the same way as trace (split, parse,
// chain, classify), written as a JSONL or CSV record, with the figures the
// summary needs. Pure: bytes and a source description in, a record out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hop.hh"
#include "role_rules.hh"

namespace hopscope {

struct MessageSource {
    std::string path;
    std::optional<std::uint64_t> offset;  // byte offset in an mbox
    std::uint64_t index = 0;              // 0-based within the PATH
};

struct HopFigure {
    std::string role;
    std::int64_t delay_s;
    int hop_index;
};

struct AuditFigures {
    bool analysed = false;
    std::optional<std::string> error;
    bool traversed = false;
    std::optional<std::string> message_id;
    std::vector<HopFigure> delays;  // hops with a delay
    int clock_skew = 0;
    int unparsable_dates = 0;
};

enum class RecordFormat { Jsonl, Csv, None };

struct AuditRecord {
    std::string line;  // with its newline; empty for RecordFormat::None
    AuditFigures figures;
};

AuditRecord audit_message(std::string_view bytes, const MessageSource& source, const RuleSet& rules,
                          RecordFormat format);

// The CSV header row, with its newline.
std::string csv_header();

// Roles in the fixed order of the CSV columns and the summary.
const std::vector<std::string>& audit_roles();

}  // namespace hopscope
