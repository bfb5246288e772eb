#include "cli/trace_command.hh"

#include <unistd.h>

#include <langinfo.h>
#include <boost/program_options.hpp>
#include <cerrno>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "report/display_text.hh"
#include "report/display_zone.hh"
#include "report/html_report.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

bool colour_wanted(const std::string& mode) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour != nullptr && *no_colour != '\0') return false;
    return ::isatty(STDOUT_FILENO) != 0;
}

bool utf8_locale() {
    (void)std::setlocale(LC_CTYPE, "");
    const char* cs = nl_langinfo(CODESET);
    std::string codeset = cs != nullptr ? cs : "";
    (void)std::setlocale(LC_CTYPE, "C");
    // With no locale set at all (CI, cron, pipes), UTF-8 is the safe default.
    return codeset == "UTF-8" || codeset == "ANSI_X3.4-1968";
}

}  // namespace

int run_trace(const std::vector<std::string>& args) {
    std::string format = "text";
    std::string tz = "UTC";
    std::string colour = "auto";
    std::string file;
    bool no_security = false;
    AnalysisOptions analysis;
    MessagePick pick;
    po::options_description opts = options_for_help("trace options");
    opts.add_options()("help,h", "show this help")("format,f", po::value(&format)->default_value("text"),
                                                   "text, json or html (one self-contained page)")(
        "tz", po::value(&tz)->default_value("UTC"),
        "zone for the times shown by text and html: UTC, local or an IANA name (json is always UTC)")(
        "color", po::value(&colour)->default_value("auto"), "auto, always or never (NO_COLOR is honoured)")(
        "no-security", po::bool_switch(&no_security),
        "leave the decoded security headers out (text and html; json always has them)");
    add_pick_options(opts, pick);
    add_analysis_options(opts, analysis);
    po::options_description hidden;
    hidden.add_options()("input", po::value(&file), "FILE or -");
    po::variables_map vm;
    OptionSources sources;
    if (!parse_command_line(args, opts, hidden, "input", 1, vm, "trace", &sources)) return exit_code::usage;
    if (vm.count("help") != 0U) {
        std::cout << "Usage: hopscope trace [OPTIONS] [FILE|-]\n"
                     "Rebuilds the Received chain of one message, header paste or Gmail\n"
                     "\"Show original\" page; of an mbox, the first message, --index N or\n"
                     "--offset N; of a .pst/.ost, the item --item ID.\n\n"
                  << opts
                  << "\nExit codes: 0 analysed, 2 unreadable input or no header fields, 64 bad usage,\n"
                     "74 the output could not be written.\n";
        return exit_code::ok;
    }
    if (int(pick.index.has_value()) + int(pick.offset.has_value()) + int(pick.item.has_value()) > 1) {
        std::cerr << "hopscope trace: --index, --offset (an mbox) and --item (a PST/OST) each pick a message: give "
                     "one of them\n";
        return exit_code::usage;
    }
    if (format != "text" && format != "json" && format != "html") {
        std::cerr << "hopscope trace: --format must be text, json or html, not '" << format << "'"
                  << sources.note("format") << "\n";
        return exit_code::usage;
    }
    if (colour != "auto" && colour != "always" && colour != "never") {
        std::cerr << "hopscope trace: --color must be auto, always or never, not '" << colour << "'"
                  << sources.note("color") << "\n";
        return exit_code::usage;
    }
    auto zone = DisplayZone::make(tz);
    if (!zone) {
        std::cerr << "hopscope trace: " << zone.error().message << sources.note("tz") << "\n";
        return exit_code::usage;
    }
    // JSON is a contract: UTC times and every member, whatever the display.
    if (format == "json" && sources.given(vm, "tz") && tz != "UTC")
        std::cerr << "hopscope trace: --tz does not apply to json, whose times are always UTC\n";
    if (format == "json" && sources.given(vm, "no-security"))
        std::cerr << "hopscope trace: --no-security does not apply to json, which always has its security member\n";

    auto rules = build_rules(analysis, &sources);
    if (!rules) {
        std::cerr << "hopscope trace: " << rules.error().message << "\n";
        return exit_code::usage;
    }

    std::string raw_headers;
    auto trace = analyse_one(file, *rules, format == "html" ? &raw_headers : nullptr, pick);
    if (!trace) {
        std::cerr << "hopscope: " << escape_for_terminal(trace.error().message) << "\n";
        return exit_code::bad_input;
    }
    if (format == "json") {
        std::cout << trace_to_json(*trace, true);
    } else if (format == "html") {
        const std::string source = file.empty() || file == "-" ? "standard input" : file;
        HtmlOptions html{source, raw_headers};
        html.zone = tz == "UTC" ? nullptr : &*zone;
        html.security = !no_security;
        std::cout << render_html(*trace, html);
    } else {
        TextStyle style{colour_wanted(colour), utf8_locale(), *zone, !no_security, output_width()};
        std::cout << render_text(*trace, style);
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "hopscope: cannot write the output: " << std::strerror(errno) << "\n";
        return exit_code::output;
    }
    return exit_code::ok;
}

}  // namespace hopscope
