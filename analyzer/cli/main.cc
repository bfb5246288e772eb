// hopscope: analyse the hops of e-mail headers. One exit path: every
// subcommand returns its exit status; an exception here is a bug.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/analysis_options.hh"
#include "cli/audit_command.hh"
#include "cli/check_command.hh"
#include "cli/connectors_command.hh"
#include "cli/exit_codes.hh"
#include "cli/serve_command.hh"
#include "cli/summarize_command.hh"
#include "cli/trace_command.hh"
#include "cli/version_text.hh"

namespace {

void usage(std::ostream& out) {
    out << "Usage: hopscope [trace] [OPTIONS] [FILE|-]\n"
           "       hopscope COMMAND [OPTIONS] ...\n"
           "\n"
           "Commands:\n"
           "  trace      the Received chain of one message, with hop roles (the default)\n"
           "  check      did the message pass through your relay into EOP? (exit 0/1)\n"
           "  audit      every message of mailboxes, Maildirs, folders, .pst and .ost files\n"
           "  summarize  the audit summary over audit records from many shards or machines\n"
           "  connectors lint  Get-InboundConnector output against the documented rules\n"
           "  serve      a local page to paste headers into and read the report\n"
           "\n"
           "'hopscope help COMMAND' or 'hopscope COMMAND --help' shows a command's options.\n";
}

int run(std::string_view command, const std::vector<std::string>& args) {
    if (command == "audit") return hopscope::run_audit(args);
    if (command == "serve") return hopscope::run_serve(args);
    if (command == "summarize") return hopscope::run_summarize(args);
    if (command == "check") return hopscope::run_check(args);
    if (command == "connectors") return hopscope::run_connectors(args);
    return hopscope::run_trace(args);
}

bool is_command(std::string_view word) {
    return std::ranges::find(hopscope::kCommands, word) != std::end(hopscope::kCommands);
}

// Edits (insert, delete, replace, swap two neighbours) from a to b.
std::size_t edits(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// The command a mistyped word most likely meant: two edits at most, or the
// start of one (three letters or more).
std::optional<std::string_view> nearest_command(std::string_view word) {
    if (word.size() > 32) return std::nullopt;  // a file name, not a typo
    std::optional<std::string_view> best;
    std::size_t best_edits = 3;
    for (std::string_view c : hopscope::kCommands) {
        std::size_t e = word.size() >= 3 && c.starts_with(word) ? 1 : edits(word, c);
        if (e < best_edits) {
            best = c;
            best_edits = e;
        }
    }
    return best;
}

int unknown_command(std::string_view word) {
    std::cerr << "hopscope: unknown command '" << word << "'";
    if (auto near = nearest_command(word))
        std::cerr << ", did you mean '" << *near << "'?\n";
    else
        std::cerr << " (the commands are trace, check, audit, summarize, connectors and serve)\n";
    return hopscope::exit_code::usage;
}

bool exists(const std::string& path) {
    std::error_code ec;
    return path == "-" || std::filesystem::exists(path, ec);
}

// A closed pipe (`| head -1`) ends the run at once and silently, with the
// status of a failed write; any thread may be the one that meets it.
extern "C" void on_closed_pipe(int /*signal*/) {
    ::_exit(hopscope::exit_code::output);
}

}  // namespace

int main(int argc, char** argv) {
    struct sigaction pipe_action {};
    pipe_action.sa_handler = on_closed_pipe;
    (void)sigaction(SIGPIPE, &pipe_action, nullptr);
    // A file-size limit is a failed write, said and exited with 74 like a
    // full disk, not a death by signal.
    (void)std::signal(SIGXFSZ, SIG_IGN);
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
            usage(std::cout);
            return hopscope::exit_code::ok;
        }
        if (!args.empty() && args[0] == "help") {
            if (args.size() == 1 || args[1] == "--help" || args[1] == "-h") {
                usage(std::cout);
                return hopscope::exit_code::ok;
            }
            if (!is_command(args[1])) return unknown_command(args[1]);
            return run(args[1], {"--help"});
        }
        if (!args.empty() && args[0] == "--version") {
            std::cout << hopscope::version_text();
            return hopscope::exit_code::ok;
        }
        if (!args.empty() && is_command(args[0])) return run(args[0], {args.begin() + 1, args.end()});
        // Not a command: a file to trace. A file that exists is traced
        // whatever its name; a word that is not one and looks like a
        // mistyped command, or that comes before a FILE, is a command.
        if (!args.empty() && !args[0].starts_with("-") && !exists(args[0]) &&
            (nearest_command(args[0]) || (args.size() > 1 && exists(args.back()) && !args.back().starts_with("-"))))
            return unknown_command(args[0]);
        return run("trace", args);
    } catch (const std::exception& e) {
        std::cerr << "hopscope: internal error: " << e.what() << "\n";
        return hopscope::exit_code::internal;
    }
}
