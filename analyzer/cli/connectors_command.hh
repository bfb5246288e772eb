// `hopscope connectors lint FILE...`: an exported Exchange Online connector
// configuration (Get-InboundConnector and Get-AcceptedDomain, as
// ConvertTo-Json, Format-List or Export-Csv) checked against what Microsoft
// documents. Exit 0 (no error found), 1 (an error), 2 (a file unreadable),
// 64 (bad usage), 74 (the output could not be written).
#pragma once

#include <string>
#include <vector>

namespace hopscope {

int run_connectors(const std::vector<std::string>& args);

}  // namespace hopscope
