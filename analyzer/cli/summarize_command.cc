#include "cli/summarize_command.hh"

#include <boost/program_options.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "cli/text_lines.hh"
#include "report/audit_record_reader.hh"
#include "report/audit_summary.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

// A record holds one message's headers: 64 MB is far past any real one.
constexpr std::size_t kMaxLine = std::size_t{64} << 20;
constexpr int kErrorsShown = 20;

bool put(std::string_view s) {
    return s.empty() || std::fwrite(s.data(), 1, s.size(), stdout) == s.size();
}

}  // namespace

int run_summarize(const std::vector<std::string>& args) {
    std::string format = "text";
    bool expect_relay = false;
    std::vector<std::string> paths;
    po::options_description opts("summarize options");
    opts.add_options()("help,h", "show this help")("format,f", po::value(&format)->default_value("text"),
                                                   "text (the audit summary), json (the same as an object), "
                                                   "html (the same as a page) or csv (every record as audit's CSV row)")(
        "expect-relay", po::bool_switch(&expect_relay), "exit 1 when any message did not traverse the relay");
    po::options_description hidden;
    hidden.add_options()("path", po::value(&paths), "FILE");
    po::variables_map vm;
    if (!parse_command_line(args, opts, hidden, "path", -1, vm, "summarize")) return exit_code::usage;
    if (vm.count("help") != 0U) {
        std::cout << "Usage: hopscope summarize [OPTIONS] FILE.jsonl[.gz]...|-\n"
                     "Reads the records of `hopscope audit --format jsonl` (shards of one audit, in any\n"
                     "order, gzipped or plain) and prints what one audit over all of them prints.\n\n"
                  << opts
                  << "\nExit codes: 0 all summarised, 1 with --expect-relay when a message did not traverse,\n"
                     "2 an input could not be opened or read, 3 some lines were not audit records or some\n"
                     "records carry an error, 64 bad usage, 74 the output could not be written.\n";
        return exit_code::ok;
    }
    if (format != "text" && format != "json" && format != "html" && format != "csv") {
        std::cerr << "hopscope summarize: --format must be text, json, html or csv, not '" << format << "'\n";
        return exit_code::usage;
    }
    if (paths.empty()) paths.emplace_back("-");
    const bool csv = format == "csv";
    bool ok_output = !csv || put(csv_header());
    AuditSummary summary;
    AuditRecordReader reader;
    bool unreadable = false;
    std::uint64_t bad_lines = 0;
    auto bad = [&](const std::string& where, const std::string& why) {
        if (++bad_lines <= kErrorsShown) std::cerr << "hopscope summarize: " << where << ": " << why << "\n";
    };
    for (const auto& path : paths) {
        auto lines = TextLines::open(path, kMaxLine);
        if (!lines) {
            std::cerr << "hopscope summarize: " << lines.error().message << "\n";
            unreadable = true;
            continue;
        }
        const std::string name = path == "-" ? "<stdin>" : path;
        for (std::uint64_t n = 1;; ++n) {
            auto line = lines->next();
            if (!line) {
                std::cerr << "hopscope summarize: " << name << ": line " << n << ": " << line.error().message
                          << "; the records before it are counted\n";
                unreadable = true;
                break;
            }
            if (!*line) break;
            const auto& l = **line;
            if (l.text.find_first_not_of(" \t") == std::string_view::npos && !l.cut) continue;
            const std::string where = name + ":" + std::to_string(n);
            if (l.cut) {
                bad(where, "a line longer than 64 MB, not a record");
                continue;
            }
            auto record = reader.read(l.text);
            if (!record) {
                bad(where, record.error().message);
                continue;
            }
            summary.add(record->figures, record->source());
            if (csv && ok_output) ok_output = put(csv_row(record->row, record->source(), record->error));
        }
    }
    if (bad_lines > kErrorsShown)
        std::cerr << "hopscope summarize: ... and " << bad_lines - kErrorsShown << " more lines that are not records\n";
    if (format == "text") ok_output = ok_output && put(summary.render());
    if (format == "json") ok_output = ok_output && put(summary.render_json());
    if (format == "html") ok_output = ok_output && put(summary.render_html());
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) ok_output = false;
    if (!ok_output) {
        std::cerr << "hopscope summarize: cannot write the output: " << std::strerror(errno) << "\n";
        return exit_code::output;
    }
    if (unreadable) return exit_code::bad_input;
    if (bad_lines > 0 || summary.failed() > 0) return exit_code::parse_failures;
    if (expect_relay && summary.not_traversed() > 0) return exit_code::not_confirmed;
    return exit_code::ok;
}

}  // namespace hopscope
