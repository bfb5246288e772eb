// What is wrong with an exported connector configuration, against what
// Microsoft documents: the rules are data (analyzer/data/connector-rules.txt),
// each with its severity and sources. Pure: a ConnectorConfig in, findings
// out, in the order of the connectors and then of the rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "input/connector_config.hh"

namespace hopscope {

struct LintFinding {
    std::string connector;
    std::string property;  // the property at fault (SenderIPAddresses, TlsSenderCertificateName, ...)
    std::string severity;  // "error" (can never work as meant), "warning", "note"
    std::string message;
    std::string source;  // the rule's sources: "TITLE <URL>; ..."
    std::string rule;    // the rule's id (ip-special, no-identity, ...)
    std::string file;
    int line = 0;
    bool operator==(const LintFinding&) const = default;
};

std::vector<LintFinding> lint_connectors(const ConnectorConfig& config);

// The rules' ids, in the table's order (for tests and the manual).
std::vector<std::string> lint_rule_ids();

}  // namespace hopscope
