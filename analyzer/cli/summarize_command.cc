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
#include "report/display_text.hh"

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
    std::string by;
    std::string since_text;
    std::string until_text;
    std::vector<std::string> paths;
    po::options_description opts = options_for_help("summarize options");
    opts.add_options()("help,h", "show this help")(
        "format,f", po::value(&format)->default_value("text"),
        "text (the audit summary), json (the same as an object), "
        "html (the same as a page) or csv (every record as audit's CSV row)")(
        "by", po::value(&by)->value_name("sender"),
        "with --format csv: the audit by sender (one row per origin device and From address) instead of every "
        "record")("since", po::value(&since_text)->value_name("DATE"),
                  "only messages at or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC), by their Date header, "
                  "else their first stamp")("until", po::value(&until_text)->value_name("DATE"),
                                            "only messages up to DATE (a day: its end), as --since")(
        "expect-relay", po::bool_switch(&expect_relay),
        "exit 1 when any message is not traversed (not applicable is not); 1 wins over 2 and 3");
    add_config_option(opts);
    po::options_description hidden;
    hidden.add_options()("path", po::value(&paths), "FILE");
    po::variables_map vm;
    OptionSources sources;
    if (!parse_command_line(args, opts, hidden, "path", -1, vm, "summarize", &sources)) return exit_code::usage;
    if (vm.count("help") != 0U) {
        std::cout << "Usage: hopscope summarize [OPTIONS] FILE.jsonl[.gz]...|-\n"
                     "Reads the records of `hopscope audit --format jsonl` (shards of one audit, in\n"
                     "any order, gzipped or plain) and prints what one audit over all of them prints.\n\n"
                  << opts
                  << "\nExit codes: 0 all summarised (skipped items are no failure); 1 with\n"
                     "--expect-relay when a message is not traversed; 2 an input could not be opened\n"
                     "or read; 3 some lines or inputs were not audit records or some records carry\n"
                     "an error; 64 bad usage; 74 the output could not be written. When several\n"
                     "apply: 74, then 1, then 2, then 3.\n";
        return exit_code::ok;
    }
    if (format != "text" && format != "json" && format != "html" && format != "csv") {
        std::cerr << "hopscope summarize: --format must be text, json, html or csv, not '" << format << "'"
                  << sources.note("format") << "\n";
        return exit_code::usage;
    }
    if (!by.empty() && (by != "sender" || format != "csv")) {
        std::cerr << "hopscope summarize: --by sender writes CSV: give it with --format csv\n";
        return exit_code::usage;
    }
    Period period;
    for (auto [text, until] : {std::pair{&since_text, false}, std::pair{&until_text, true}}) {
        if (text->empty()) continue;
        auto bound = period_bound(*text, until);
        if (!bound) {
            std::cerr << "hopscope summarize: " << (until ? "--until " : "--since ") << bound.error().message << "\n";
            return exit_code::usage;
        }
        (until ? period.until : period.since) = *bound;
    }
    if (auto problem = period_problem(period); !problem.empty()) {
        std::cerr << "hopscope summarize: " << problem << "\n";
        return exit_code::usage;
    }
    if (paths.empty()) paths.emplace_back("-");
    const bool csv = format == "csv" && by.empty();
    bool ok_output = true;
    bool header_written = false;
    auto csv_header_once = [&] {
        if (csv && !header_written) ok_output = put(csv_header());
        header_written = true;
    };
    AuditSummary summary;
    summary.set_period(period);
    AuditRecordReader reader;
    bool unreadable = false;
    bool not_records = false;  // a whole input that holds no records (a trace, a summary)
    std::uint64_t records = 0;
    std::uint64_t bad_lines = 0;
    auto bad = [&](const std::string& where, const std::string& why) {
        if (++bad_lines <= kErrorsShown)
            std::cerr << "hopscope summarize: " << escape_for_terminal(where) << ": " << escape_for_terminal(why)
                      << "\n";
    };
    for (const auto& path : paths) {
        auto lines = TextLines::open(path, kMaxLine);
        if (!lines) {
            std::cerr << "hopscope summarize: " << lines.error().message << "\n";
            unreadable = true;
            continue;
        }
        const std::string name = path == "-" ? "<stdin>" : path;
        bool first = true;
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
            if (l.text.find_first_not_of(" \t\r") == std::string_view::npos && !l.cut) continue;
            const std::string where = name + ":" + std::to_string(n);
            if (l.cut) {
                bad(where, "a line longer than 64 MB, not a record");
                continue;
            }
            // A lone "{" first: one JSON document over many lines (trace's
            // or audit's --format json), not one record per line. Said once.
            if (first && l.text.find_first_not_of(" \t\r{") == std::string_view::npos) {
                std::string document(l.text);
                for (auto more = lines->next(); more && *more && document.size() < kMaxLine; more = lines->next())
                    document.append("\n").append((**more).text);
                std::cerr << "hopscope summarize: " << name << ": this is " << describe_json_document(document)
                          << ", not audit records: summarize reads what hopscope audit --format jsonl writes\n";
                not_records = true;
                break;
            }
            first = false;
            auto record = reader.read(l.text);
            if (!record) {
                bad(where, record.error().message);
                continue;
            }
            ++records;
            if (record->figures.analysed) record->figures.left_out = left_out_of(period, record->figures.seen);
            summary.add(record->figures, record->source());
            csv_header_once();
            if (csv && ok_output && record->figures.left_out.empty())
                ok_output = put(csv_row(record->row, record->source(), record->error, record->skipped));
        }
    }
    if (bad_lines > kErrorsShown)
        std::cerr << "hopscope summarize: ... and " << bad_lines - kErrorsShown << " more lines that are not records\n";
    // No summary of nothing beside the errors that say why nothing was read;
    // inputs that are empty, but readable, summarise to zero.
    if (records > 0 || (!unreadable && !not_records && bad_lines == 0)) {
        csv_header_once();
        if (format == "text") ok_output = ok_output && put(summary.render());
        if (format == "json") {
            ByteBuffer json;  // written as built: a summary of many senders is not copied
            summary.render_json(json);
            ok_output = ok_output && put(json.view());
        }
        if (format == "html") ok_output = ok_output && put(summary.render_html());
        if (!by.empty()) ok_output = ok_output && put(summary.render_senders_csv());
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) ok_output = false;
    if (!ok_output) {
        std::cerr << "hopscope summarize: cannot write the output: " << std::strerror(errno) << "\n";
        return exit_code::output;
    }
    // The answer asked for wins over trouble reading (README "Exit codes").
    if (expect_relay && summary.not_traversed() > 0) return exit_code::not_confirmed;
    if (unreadable) return exit_code::bad_input;
    if (not_records || bad_lines > 0 || summary.failed() > 0) return exit_code::parse_failures;
    return exit_code::ok;
}

}  // namespace hopscope
