#include "cli/connectors_command.hh"

#include <boost/program_options.hpp>
#include <iostream>

#include "classify/connector_lint.hh"
#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "report/connectors_report.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

void usage(std::ostream& out) {
    out << "Usage: hopscope connectors lint [--format text|json] FILE...\n"
           "Checks Exchange Online inbound connectors against what Microsoft documents.\n"
           "FILE is Get-InboundConnector or Get-AcceptedDomain output: ConvertTo-Json\n"
           "(best: nothing is lost), Format-List text or Export-Csv, read by its content;\n"
           "- reads standard input. Export with\n"
           "  Get-InboundConnector | ConvertTo-Json -Depth 5 > connectors.json\n"
           "  Get-AcceptedDomain | ConvertTo-Json > accepted-domains.json\n";
}

int run_lint(const std::vector<std::string>& args) {
    std::string format = "text";
    std::vector<std::string> files;
    po::options_description opts("connectors lint options");
    opts.add_options()("help,h", "show this help")("format,f", po::value(&format)->default_value("text"),
                                                   "text (a table of findings) or json");
    po::options_description hidden;
    hidden.add_options()("file", po::value(&files), "FILE");
    po::variables_map vm;
    if (!parse_command_line(args, opts, hidden, "file", -1, vm, "connectors lint")) return exit_code::usage;
    if (vm.count("help") != 0U) {
        usage(std::cout);
        std::cout << "\n"
                  << opts
                  << "\nExit codes: 0 no error found (warnings and notes may be), 1 an error,\n"
                     "2 a file unreadable, 64 bad usage, 74 the output could not be written.\n";
        return exit_code::ok;
    }
    if (format != "text" && format != "json") {
        std::cerr << "hopscope connectors lint: --format must be text or json, not '" << format << "'\n";
        return exit_code::usage;
    }
    if (files.empty()) {
        std::cerr << "hopscope connectors lint: no FILE given\n";
        usage(std::cerr);
        return exit_code::usage;
    }
    auto config = read_connector_files(files);
    if (!config) {
        std::cerr << "hopscope connectors lint: " << config.error().message << "\n";
        return exit_code::bad_input;
    }
    auto findings = lint_connectors(*config);
    std::cout << (format == "json" ? lint_to_json(*config, findings) : render_lint_text(*config, findings));
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "hopscope: cannot write the output\n";
        return exit_code::output;
    }
    bool error =
        std::any_of(findings.begin(), findings.end(), [](const LintFinding& f) { return f.severity == "error"; });
    return error ? exit_code::not_confirmed : exit_code::ok;
}

}  // namespace

int run_connectors(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        usage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? exit_code::usage : exit_code::ok;
    }
    if (args[0] == "lint") return run_lint({args.begin() + 1, args.end()});
    std::cerr << "hopscope connectors: unknown command '" << args[0] << "' (the command is: lint)\n";
    return exit_code::usage;
}

}  // namespace hopscope
