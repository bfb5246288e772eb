// Options shared by the commands that classify (trace, check, audit, serve):
// --relay, --internal-net, --rule, --connectors and --config, turned into one
// RuleSet.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "base/result.hh"
#include "chain/trace.hh"
#include "classify/role_rules.hh"

namespace hopscope {

struct AnalysisOptions {
    std::vector<std::string> relays;
    std::vector<std::string> internal_nets;
    std::vector<std::string> rules;
    std::vector<std::string> connectors;  // Get-InboundConnector / Get-AcceptedDomain exports
    std::string config;
};

void add_analysis_options(boost::program_options::options_description& desc, AnalysisOptions& opts);

// Parses a command's arguments: `visible` options plus positional
// arguments bound to the option `positional` (at most `max_positional`, -1
// for any number). On error prints "hopscope COMMAND: why" and returns false.
bool parse_command_line(const std::vector<std::string>& args,
                        const boost::program_options::options_description& visible,
                        const boost::program_options::options_description& hidden, const char* positional,
                        int max_positional, boost::program_options::variables_map& vm, const char* command);

// Reads one message (FILE, "-" or a prompt for a paste on a terminal),
// builds its trace and classifies it. Errors name the input; their exit
// status is exit_code::bad_input.
// `raw_headers`, when given, receives the header block as read (for the
// HTML report's raw view).
Result<Trace> analyse_one(const std::string& file, const RuleSet& rules, std::string* raw_headers = nullptr);

// The same for bytes already in hand (serve's pastes and uploads); `name`
// names them in errors.
Result<Trace> analyse_bytes(std::string_view bytes, const std::string& name, const RuleSet& rules,
                            std::string* raw_headers = nullptr);

// Reads the config file (--config, or ~/.config/hopscope/config when it
// exists) and builds the rules, with the --connectors files read into them.
// Errors name the file or option at fault (a connectors file: its line and
// property).
Result<RuleSet> build_rules(AnalysisOptions& opts, const boost::program_options::variables_map& vm);

// Reads connector and accepted-domain exports (FILE, or "-" for standard
// input), each by its content, into one configuration. Errors name the file,
// and the line and property at fault.
Result<ConnectorConfig> read_connector_files(const std::vector<std::string>& paths);

}  // namespace hopscope
