// hopscope: analyse the hops of e-mail headers. One exit path: every
// subcommand returns its exit status; an exception here is a bug.
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

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
           "\n"
           "Commands:\n"
           "  trace   rebuild the Received chain of one message, with hop roles (the default)\n"
           "  audit   analyse every message of mailboxes, Maildirs and folders\n"
           "  check   say whether the message passed through your relay into EOP (exit 0/1)\n"
           "  summarize  the audit summary over audit records from many shards or machines\n"
           "  connectors lint  check Exchange Online inbound connectors (Get-InboundConnector output)\n"
           "  serve   a local page to paste headers into and read the report (127.0.0.1 only)\n"
           "\n"
           "Run 'hopscope COMMAND --help' for the options of a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
    // A closed pipe (`| head -1`) and a file-size limit are failed writes,
    // said and exited with 74 like a full disk, not deaths by signal.
    (void)std::signal(SIGPIPE, SIG_IGN);
    (void)std::signal(SIGXFSZ, SIG_IGN);
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
            usage(std::cout);
            return hopscope::exit_code::ok;
        }
        if (!args.empty() && args[0] == "--version") {
            std::cout << hopscope::version_text();
            return hopscope::exit_code::ok;
        }
        if (!args.empty() && args[0] == "audit") return hopscope::run_audit({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "serve") return hopscope::run_serve({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "summarize") return hopscope::run_summarize({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "check") return hopscope::run_check({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "connectors") return hopscope::run_connectors({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "trace") args.erase(args.begin());
        return hopscope::run_trace(args);
    } catch (const std::exception& e) {
        std::cerr << "hopscope: internal error: " << e.what() << "\n";
        return hopscope::exit_code::internal;
    }
}
