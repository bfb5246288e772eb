// `hopscope connectors lint`'s output: what was read, then the findings as a
// table with their sources (text), or one JSON object
// (analyzer/schema/connectors-lint.schema.json).
#pragma once

#include <string>
#include <vector>

#include "classify/connector_lint.hh"
#include "input/connector_config.hh"

namespace hopscope {

std::string render_lint_text(const ConnectorConfig& config, const std::vector<LintFinding>& findings);

// {"schema": 2, "kind": "connectors-lint", "connectors": N, "findings":
// [{"connector", "property", "severity", "message", "source"}]}
std::string lint_to_json(const ConnectorConfig& config, const std::vector<LintFinding>& findings);

// "ConvertTo-Json", "Format-List", "Export-Csv" for a ConnectorConfig form.
std::string form_title(const std::string& form);

}  // namespace hopscope
