// Options shared by the commands: --relay, --internal-net and --rule (those
// that classify), turned into one RuleSet; --config and the config file
// (every command); the width of --help.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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
};

// --relay, --internal-net, --rule and --config.
void add_analysis_options(boost::program_options::options_description& desc, AnalysisOptions& opts);

// --config alone (summarize, which classifies nothing).
void add_config_option(boost::program_options::options_description& desc);

// The options a config file may set (hopscope-config(5)): the ones a user
// sets once. The others (--help, --quiet, --range, --bind, ...) belong to
// one run.
inline constexpr std::string_view kConfigKeys[] = {"relay", "internal-net", "rule",        "format",       "tz",
                                                   "color", "no-security",  "require-tls", "expect-relay", "jobs",
                                                   "port",  "min-tls",      "connectors"};

// The commands, as the first word names them.
inline constexpr std::string_view kCommands[] = {"trace", "check", "audit", "summarize", "connectors", "serve"};

// Where a command's options came from: the config file read (empty: none)
// and the options it set that the command line did not.
struct OptionSources {
    std::string config;
    std::set<std::string> from_config;

    // " (set in FILE)" when the config file set `option`, else "".
    [[nodiscard]] std::string note(const std::string& option) const;
    // The command line gave `option` itself.
    [[nodiscard]] bool given(const boost::program_options::variables_map& vm, const std::string& option) const;
};

// A command's --help: "Usage: ...", then its options laid out for the
// terminal's width (help_width()), never cut inside a word.
unsigned help_width();

// The columns text output must fit: the terminal's when stdout is one, else
// $COLUMNS when set (a script that wants a width asks for it), else 0: none
// (a pipe or a file gets every line whole).
std::size_t output_width();
boost::program_options::options_description options_for_help(const std::string& caption);

// Parses a command's arguments: `visible` options plus positional
// arguments bound to the option `positional` (at most `max_positional`, -1
// for any number), then, when `visible` has --config and --help was not
// asked for, the config file (--config, or $XDG_CONFIG_HOME/hopscope/config,
// else ~/.config/hopscope/config, when it exists): the command line wins
// over it, repeatable options add up. On error prints "hopscope COMMAND:
// why" and returns false.
bool parse_command_line(const std::vector<std::string>& args,
                        const boost::program_options::options_description& visible,
                        const boost::program_options::options_description& hidden, const char* positional,
                        int max_positional, boost::program_options::variables_map& vm, const char* command,
                        OptionSources* sources = nullptr);

// Which message of a mailbox file trace and check read: --index N (the Nth
// message of an mbox, from 0, as audit's source.index) or --item ID (an
// item of a .pst/.ost, as audit's source.item).
struct MessagePick {
    std::optional<std::uint64_t> index;
    std::optional<std::uint64_t> offset;  // of the message's separator line in an mbox
    std::optional<std::uint32_t> item;
};

// Reads one message (FILE, "-" or a prompt for a paste on a terminal),
// builds its trace and classifies it. Errors name the input; their exit
// status is exit_code::bad_input. An mbox without --index gives its first
// message, and says on stderr that it is an mbox of N messages.
// `raw_headers`, when given, receives the header block as read (for the
// HTML report's raw view).
Result<Trace> analyse_one(const std::string& file, const RuleSet& rules, std::string* raw_headers = nullptr,
                          const MessagePick& pick = {});

// --index and --item (trace and check).
void add_pick_options(boost::program_options::options_description& desc, MessagePick& pick);

// The same for bytes already in hand (serve's pastes and uploads); `name`
// names them in errors. `report_body`: a PST/OST report's prose, when the
// bytes are the item's transport headers (analyse_message).
Result<Trace> analyse_bytes(std::string_view bytes, const std::string& name, const RuleSet& rules,
                            std::string* raw_headers = nullptr, std::string_view report_body = {});

// The built-in rules plus the options' (the config file's included).
// Errors name the option at fault.
// `sources`: where the options came from, so an error names the config
// file that set the value at fault.
Result<RuleSet> build_rules(const AnalysisOptions& opts, const OptionSources* sources = nullptr);

// Reads Get-InboundConnector / Get-AcceptedDomain exports (files, or "-"
// for standard input) into one configuration; errors name the file, the line
// and the property.
Result<ConnectorConfig> read_connector_files(const std::vector<std::string>& paths);

}  // namespace hopscope
