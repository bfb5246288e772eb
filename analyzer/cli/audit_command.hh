// `hopscope audit`: every message of mailboxes, Maildirs and folders, one
// record each, in input order, in parallel, with bounded memory.
#pragma once

#include <string>
#include <vector>

namespace hopscope {

int run_audit(const std::vector<std::string>& args);

}  // namespace hopscope
