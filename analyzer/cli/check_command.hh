// `hopscope check`: one verdict line on relay traversal, its evidence, and an
// exit status scripts can use (0 confirmed, 1 not, 2 unreadable input).
#pragma once

#include <string>
#include <vector>

namespace hopscope {

int run_check(const std::vector<std::string>& args);

}  // namespace hopscope
