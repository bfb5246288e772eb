// `hopscope summarize`: the audit summary over the JSONL records of audits
// run elsewhere (shards of one audit, in any order, gzipped or not): the map
// ran on many machines, this is the reduce.
#pragma once

#include <string>
#include <vector>

namespace hopscope {

int run_summarize(const std::vector<std::string>& args);

}  // namespace hopscope
