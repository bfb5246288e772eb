#include "cli/check_command.hh"

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "report/display_text.hh"
#include "report/html_report.hh"
#include "report/text_report.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

// The verdict's exit status, or 74 when what was printed could not be written.
int written(int status) {
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "hopscope check: cannot write the output: " << std::strerror(errno) << "\n";
        return exit_code::output;
    }
    return status;
}

}  // namespace

int run_check(const std::vector<std::string>& args) {
    bool require_tls = false;
    bool quiet = false;
    std::string format = "text";
    std::string file;
    AnalysisOptions analysis;
    po::options_description opts = options_for_help("check options");
    opts.add_options()("help,h", "show this help")("require-tls", po::bool_switch(&require_tls),
                                                   "also require TLS on the hop into EOP")(
        "quiet,q", po::bool_switch(&quiet), "print nothing; the exit status says it")(
        "format,f", po::value(&format)->default_value("text"),
        "text (the verdict and its evidence) or html (the whole report as a page; the exit status is the same)");
    add_analysis_options(opts, analysis);
    po::options_description hidden;
    hidden.add_options()("input", po::value(&file), "FILE or -");
    po::variables_map vm;
    OptionSources sources;
    if (!parse_command_line(args, opts, hidden, "input", 1, vm, "check", &sources)) return exit_code::usage;
    if (vm.count("help") != 0U) {
        std::cout << "Usage: hopscope check [--relay X] [--require-tls] [FILE|-]\n"
                     "Did this message pass through your relay into Exchange Online Protection?\n\n"
                  << opts
                  << "\nExit codes: 0 traversal confirmed (and TLS, with --require-tls), 1 not confirmed\n"
                     "(or the message is a bounce: NOT DELIVERED), 2 unreadable input or no header\n"
                     "fields, 64 bad usage, 74 the output could not be written.\n";
        return exit_code::ok;
    }
    if (format != "text" && format != "html") {
        std::cerr << "hopscope check: --format must be text or html, not '" << format << "'" << sources.note("format")
                  << "\n";
        return exit_code::usage;
    }
    auto rules = build_rules(analysis);
    if (!rules) {
        std::cerr << "hopscope check: " << rules.error().message << "\n";
        return exit_code::usage;
    }
    std::string raw_headers;
    auto trace = analyse_one(file, *rules, format == "html" ? &raw_headers : nullptr);
    if (!trace) {
        std::cerr << "hopscope: " << trace.error().message << "\n";
        return exit_code::bad_input;
    }
    if (format == "html" && !quiet) {
        std::cout << render_html(*trace, {file.empty() || file == "-" ? "standard input" : file, raw_headers});
        std::cout.flush();
        quiet = true;  // the page is the output; the exit status follows
    }
    // A bounce was not delivered, whatever its own chain says: its status,
    // then the verdict on the message it returned.
    if (trace->bounce) {
        const Bounce& b = *trace->bounce;
        if (!quiet) {
            std::cout << "NOT DELIVERED: " << escape_for_terminal(b.status.value_or("no status")) << " at "
                      << escape_for_terminal(b.server.value_or("?")) << ": "
                      << escape_for_terminal(b.explanation.value_or("the report gives no known status")) << "\n";
            if (b.hint) std::cout << "  check: " << escape_for_terminal(*b.hint) << "\n";
            if (!b.original.empty() && b.original.front().relay) {
                const RelayVerdict& o = *b.original.front().relay;
                std::cout << "  the returned message: " << verdict_line(o) << "\n";
                for (const auto& e : o.evidence) std::cout << "    - " << escape_for_terminal(e) << "\n";
            } else {
                std::cout << "  the report does not enclose the returned message\n";
            }
        }
        return written(exit_code::not_confirmed);
    }
    const RelayVerdict& v = *trace->relay;
    bool ok = v.traversed && (!require_tls || v.tls.value_or(false));
    if (!quiet) {
        std::string line = verdict_line(v);
        if (v.traversed && require_tls && !v.tls.value_or(false))
            line = "NOT CONFIRMED: traversed, but TLS is required";
        std::cout << line << "\n";
        for (const auto& e : v.evidence) std::cout << "  - " << escape_for_terminal(e) << "\n";
        for (const auto& a : trace->anomalies)
            if (a.kind == "signal-contradiction") std::cout << "  ! " << escape_for_terminal(a.detail) << "\n";
    }
    return written(ok ? exit_code::ok : exit_code::not_confirmed);
}

}  // namespace hopscope
