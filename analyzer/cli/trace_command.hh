// `hopscope trace`: one message in, the hop chain out.
#pragma once

#include <string>
#include <vector>

namespace hopscope {

int run_trace(const std::vector<std::string>& args);

}  // namespace hopscope
