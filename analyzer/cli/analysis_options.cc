#include "cli/analysis_options.hh"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/hop_classifier.hh"
#include "classify/message_analysis.hh"
#include "cli/input_source.hh"
#include "input/pst_reader.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

std::string default_config_path() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0')
        return std::string(xdg) + "/hopscope/config";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return std::string(home) + "/.config/hopscope/config";
    return {};
}

}  // namespace

void add_analysis_options(po::options_description& desc, AnalysisOptions& opts) {
    desc.add_options()(
        "relay", po::value(&opts.relays)->composing(),
        "your relay: HOST, IP or CIDR (repeatable); traversal then requires EOP to have received from it")(
        "internal-net", po::value(&opts.internal_nets)->composing(),
        "a network of your organisation, CIDR (repeatable)")(
        "rule", po::value(&opts.rules)->composing(),
        "an extra rule: \"FAMILY KIND PATTERN [EVIDENCE]\" (FAMILY "
        "eop|exchange-online|provider|gateway|mx|list|internal|relay, KIND by-host|from-host|by-ip|from-ip|with; "
        "for gateway, provider, mx and list the EVIDENCE is the product name)")(
        "config", po::value(&opts.config), "config file (default ~/.config/hopscope/config)");
}

bool parse_command_line(const std::vector<std::string>& args, const po::options_description& visible,
                        const po::options_description& hidden, const char* positional, int max_positional,
                        po::variables_map& vm, const char* command) {
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description pos;
    if (positional != nullptr) pos.add(positional, max_positional);
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "hopscope " << command << ": " << e.what() << "\n";
        return false;
    }
    return true;
}

Result<Trace> analyse_bytes(std::string_view bytes, const std::string& name, const RuleSet& rules,
                            std::string* raw_headers) {
    if (is_pst(bytes))
        return make_error(name + ": a PST/OST mailbox: hopscope audit reads every item of it, trace reads one message");
    std::string outlook_headers;
    auto trace = analyse_message(bytes, rules, &outlook_headers);
    if (raw_headers != nullptr) {
        raw_headers->clear();
        if (!outlook_headers.empty()) {
            *raw_headers = outlook_headers;
        } else {
            for (const auto& f : split_header_block(bytes).fields) {
                raw_headers->append(f.name).append(":").append(f.raw);
                if (raw_headers->back() != '\n') raw_headers->push_back('\n');
            }
        }
    }
    if (!trace) return make_error(name + ": " + trace.error().message + (bytes.empty() ? " (the input is empty)" : ""));
    return trace;
}

Result<Trace> analyse_one(const std::string& file, const RuleSet& rules, std::string* raw_headers) {
    if (file.empty() && ::isatty(STDIN_FILENO) != 0)
        std::cerr << "Paste the message or its headers, then press Ctrl-D on an empty line.\n";
    auto input = read_input(file);
    if (!input) return input.error();
    return analyse_bytes(input->bytes, input->name, rules, raw_headers);
}

Result<RuleSet> build_rules(AnalysisOptions& opts, const po::variables_map& vm) {
    std::string path = opts.config;
    bool explicit_path = vm.count("config") != 0U;
    if (!explicit_path) path = default_config_path();
    // The error_code form: a home this user may not read (HOME of another
    // user under sudo or setpriv) means no default config, not a crash.
    std::error_code ec;
    if (!path.empty() && (explicit_path || std::filesystem::exists(path, ec))) {
        std::ifstream in(path);
        if (!in) return make_error(path + ": cannot read config file");
        po::options_description file_opts;
        AnalysisOptions from_file;
        file_opts.add_options()("relay", po::value(&from_file.relays)->composing(), "")(
            "internal-net", po::value(&from_file.internal_nets)->composing(), "")(
            "rule", po::value(&from_file.rules)->composing(), "");
        try {
            po::variables_map fvm;
            po::store(po::parse_config_file(in, file_opts, false), fvm);
            po::notify(fvm);
        } catch (const po::error& e) {
            return make_error(path + ": " + e.what());
        }
        opts.relays.insert(opts.relays.end(), from_file.relays.begin(), from_file.relays.end());
        opts.internal_nets.insert(opts.internal_nets.end(), from_file.internal_nets.begin(),
                                  from_file.internal_nets.end());
        opts.rules.insert(opts.rules.end(), from_file.rules.begin(), from_file.rules.end());
    }
    RuleSet rules = RuleSet::builtin();
    for (const auto& r : opts.rules)
        if (auto ok = rules.add_rule_line(r); !ok) return ok.error();
    for (const auto& r : opts.relays)
        if (auto ok = rules.add_relay(r); !ok) return ok.error();
    for (const auto& n : opts.internal_nets)
        if (auto ok = rules.add_internal_net(n); !ok) return ok.error();
    return rules;
}

}  // namespace hopscope
