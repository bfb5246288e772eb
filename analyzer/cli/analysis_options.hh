// Options shared by the commands that classify (trace, check): --relay,
// --internal-net, --rule and --config, turned into one RuleSet.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "result.hh"
#include "role_rules.hh"

namespace hopscope {

struct AnalysisOptions {
    std::vector<std::string> relays;
    std::vector<std::string> internal_nets;
    std::vector<std::string> rules;
    std::string config;
};

void add_analysis_options(boost::program_options::options_description& desc, AnalysisOptions& opts);

// Reads the config file (--config, or ~/.config/hopscope/config when it
// exists) and builds the rules. Errors name the file or option at fault.
Result<RuleSet> build_rules(AnalysisOptions& opts, const boost::program_options::variables_map& vm);

}  // namespace hopscope
