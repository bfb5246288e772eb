#include "cli/check_command.hh"

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "classify/bounce_analysis.hh"
#include "classify/relay_verdict.hh"
#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "parse/tls_version.hh"
#include "report/display_text.hh"
#include "report/html_report.hh"
#include "report/json_writer.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

// What check demands of the relay verdict besides traversal.
struct Demand {
    bool require_tls = false;
    std::string min_tls;  // "1.2"; empty: any
};

// One input's answer: the line, its evidence, what kind of answer it is and
// the exit status it asks for.
struct Answer {
    std::string input;
    std::string verdict;  // traversed, not-confirmed, not-traversed, not-applicable, not-delivered, delayed, unreadable
    std::string line;
    std::vector<std::string> evidence;
    const RelayVerdict* relay = nullptr;  // the verdict judged (the message's, or the one a report returned)
    std::string error;
    int status = exit_code::ok;
};

// Whether a relay verdict confirms traversal with the TLS demanded, and the
// line that says so: the one test check applies to a message and to the
// message a notification of success returned.
bool confirmed(const RelayVerdict& v, const Demand& d, std::string& line) {
    line = verdict_line(v);
    if (!v.traversed) return false;
    if (auto lacks = tls_shortfall(v, d.require_tls, d.min_tls)) {
        line = "NOT CONFIRMED: traversed, but " + *lacks;
        return false;
    }
    return true;
}

void returned_message(const Bounce& b, Answer& a) {
    if (!b.original.empty() && b.original.front().relay) {
        a.relay = &*b.original.front().relay;
        a.evidence.push_back("the returned message: " + verdict_line(*a.relay));
        for (const auto& e : a.relay->evidence) a.evidence.push_back("  " + e);
    } else {
        a.evidence.emplace_back("the report does not enclose the returned message");
    }
}

Answer judge(const std::string& input, const Trace& t, const Demand& d) {
    Answer a;
    a.input = input;
    // A bounce was not delivered, whatever its own chain says: its status,
    // then the verdict on the message it returned.
    if (t.bounce) {
        const Bounce& b = *t.bounce;
        a.verdict = "not-delivered";
        a.line = "NOT DELIVERED: " + b.status.value_or("no status") +
                 (b.server ? (b.server_only_reported ? ", reported by " : " at ") + *b.server : std::string()) + ": " +
                 b.explanation.value_or("the report gives no known status");
        if (b.hint) a.evidence.push_back("check: " + *b.hint);
        returned_message(b, a);
        a.status = exit_code::not_confirmed;
        return a;
    }
    // A notification: of success, judged by the message it returned (exit 0
    // when that one traversed the relay); of delay, DELAYED (exit 1).
    if (t.notification) {
        const Bounce& n = *t.notification;
        if (!is_success_action(n.action.value_or(""))) {
            a.verdict = "delayed";
            a.line = "DELAYED: " + n.status.value_or("no status") +
                     (n.server                 ? " at " + *n.server
                      : n.report.reporting_mta ? ", reported by " + *n.report.reporting_mta
                                               : std::string()) +
                     ": " + n.explanation.value_or("delayed, still trying");
            if (n.hint) a.evidence.push_back("check: " + *n.hint);
            returned_message(n, a);
            a.status = exit_code::not_confirmed;
            return a;
        }
        const RelayVerdict* returned =
            !n.original.empty() && n.original.front().relay ? &*n.original.front().relay : nullptr;
        std::string line = "NOT CONFIRMED: the report does not enclose the returned message";
        bool ok = returned != nullptr && confirmed(*returned, d, line);
        a.relay = returned;
        a.verdict = returned != nullptr ? std::string(returned->state) : "not-applicable";
        a.line = "notification of success; the returned message: " + line;
        a.evidence.push_back(notification_headline(n));
        if (returned != nullptr)
            for (const auto& e : returned->evidence) a.evidence.push_back("  " + e);
        a.status = ok ? exit_code::ok : exit_code::not_confirmed;
        return a;
    }
    const RelayVerdict& v = *t.relay;
    a.relay = &v;
    a.verdict = std::string(v.state);
    bool ok = confirmed(v, d, a.line);
    if (v.traversed && !ok) a.verdict = "not-confirmed";  // traversed, without the TLS demanded
    a.evidence = v.evidence;
    if (v.connector)
        for (const auto& e : v.connector->evidence) a.evidence.push_back("connector: " + e);
    for (const auto& an : t.anomalies)
        if (an.kind == "signal-contradiction") a.evidence.push_back("! " + an.detail);
    a.status = ok ? exit_code::ok : exit_code::not_confirmed;
    return a;
}

// The run's status: 1 when any message was judged and not confirmed (the
// answer wins over trouble reading), else 2 when an input could not be
// read, else 0.
int overall(const std::vector<Answer>& answers) {
    bool unreadable = false;
    for (const auto& a : answers) {
        if (a.status == exit_code::not_confirmed) return exit_code::not_confirmed;
        unreadable = unreadable || a.status == exit_code::bad_input;
    }
    return unreadable ? exit_code::bad_input : exit_code::ok;
}

std::string json_of(const std::vector<Answer>& answers, int status) {
    JsonWriter w(false);
    w.begin_object().member("schema", std::int64_t{kJsonSchemaVersion}).member("kind", "check");
    w.member("exit", std::int64_t{status});
    w.key("results").begin_array();
    for (const auto& a : answers) {
        w.begin_object().member("input", a.input).member("exit", std::int64_t{a.status});
        w.member("verdict", a.verdict);
        const RelayVerdict* r = a.relay;
        w.member("state", r ? std::optional<std::string>(std::string(r->state)) : std::nullopt);
        w.member("method", r ? std::optional<std::string>(std::string(r->method)) : std::nullopt);
        w.member("reason", r ? std::optional<std::string>(std::string(r->reason)) : std::nullopt);
        w.member("tls_version", r ? r->tls_version : std::nullopt);
        w.member("connector", r && r->connector ? r->connector->name : std::nullopt);
        w.member("line", a.line.empty() ? std::nullopt : std::optional<std::string>(a.line));
        w.key("evidence").begin_array();
        for (const auto& e : a.evidence) w.value(e);
        w.end_array();
        w.member("error", a.error.empty() ? std::nullopt : std::optional<std::string>(a.error));
        w.end_object();
    }
    w.end_array().end_object();
    return w.take() + "\n";
}

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
    Demand demand;
    bool quiet = false;
    std::string format = "text";
    std::vector<std::string> files;
    AnalysisOptions analysis;
    MessagePick pick;
    po::options_description opts = options_for_help("check options");
    opts.add_options()("help,h", "show this help")("require-tls", po::bool_switch(&demand.require_tls),
                                                   "also require TLS on the hop into EOP")(
        "min-tls", po::value(&demand.min_tls)->value_name("VERSION"),
        "also require TLS of at least VERSION (1.0, 1.1, 1.2 or 1.3) on the hop into EOP; an unknown version fails")(
        "quiet,q", po::bool_switch(&quiet), "print nothing; the exit status says it")(
        "format,f", po::value(&format)->default_value("text"),
        "text (a verdict line and its evidence per input), json (one object: every input's answer), or html (the "
        "whole report as a page; one input)");
    add_pick_options(opts, pick);
    add_analysis_options(opts, analysis);
    po::options_description hidden;
    hidden.add_options()("input", po::value(&files), "FILE or -");
    po::variables_map vm;
    OptionSources sources;
    if (!parse_command_line(args, opts, hidden, "input", -1, vm, "check", &sources)) return exit_code::usage;
    if (vm.count("help") != 0U) {
        std::cout << "Usage: hopscope check [--relay X] [--require-tls] [--min-tls 1.2] [FILE|-]...\n"
                     "       hopscope check [OPTIONS] --index N MBOX | --offset N MBOX | --item ID PST\n"
                     "Did each message pass through your relay into Exchange Online Protection?\n\n"
                  << opts
                  << "\nExit codes: 0 every input confirmed (traversed, with the TLS asked for; for a\n"
                     "notification of success, the message it returned); 1 some input not confirmed\n"
                     "(not traversed, not applicable, a bounce: NOT DELIVERED, a delay warning:\n"
                     "DELAYED); 2 an input unreadable and none judged not confirmed; 64 bad usage;\n"
                     "74 the output could not be written.\n";
        return exit_code::ok;
    }
    if (format != "text" && format != "html" && format != "json") {
        std::cerr << "hopscope check: --format must be text, json or html, not '" << format << "'"
                  << sources.note("format") << "\n";
        return exit_code::usage;
    }
    if (!demand.min_tls.empty() && normalise_tls_version("TLS" + demand.min_tls) == "unknown") {
        std::cerr << "hopscope check: --min-tls must be 1.0, 1.1, 1.2 or 1.3, not '" << demand.min_tls << "'"
                  << sources.note("min-tls") << "\n";
        return exit_code::usage;
    }
    if (!demand.min_tls.empty()) demand.min_tls = std::string(normalise_tls_version("TLS" + demand.min_tls));
    if (files.empty()) files.emplace_back("-");
    const int picks = int(pick.index.has_value()) + int(pick.offset.has_value()) + int(pick.item.has_value());
    if (picks > 0 && (files.size() > 1 || picks > 1)) {
        std::cerr
            << "hopscope check: --index or --offset (an mbox) or --item (a PST/OST) picks a message of one FILE\n";
        return exit_code::usage;
    }
    if (format == "html" && files.size() > 1) {
        std::cerr << "hopscope check: --format html reports one input; give one FILE, or use --format json\n";
        return exit_code::usage;
    }
    auto rules = build_rules(analysis, &sources);
    if (!rules) {
        std::cerr << "hopscope check: " << rules.error().message << "\n";
        return exit_code::usage;
    }
    std::vector<Answer> answers;
    std::vector<Trace> traces;  // the answers point into them
    traces.reserve(files.size());
    answers.reserve(files.size());
    for (const auto& file : files) {
        std::string raw_headers;
        auto trace = analyse_one(file, *rules, format == "html" ? &raw_headers : nullptr, pick);
        std::string name = file == "-" ? "standard input" : file;
        if (!trace) {
            std::cerr << "hopscope: " << escape_for_terminal(trace.error().message) << "\n";
            Answer a;
            a.input = name;
            a.verdict = "unreadable";
            a.error = trace.error().message;
            a.status = exit_code::bad_input;
            answers.push_back(std::move(a));
            continue;
        }
        traces.push_back(std::move(*trace));
        if (format == "html" && !quiet) {
            std::cout << render_html(traces.back(), {name, raw_headers});
            std::cout.flush();
        }
        answers.push_back(judge(name, traces.back(), demand));
    }
    int status = overall(answers);
    if (quiet || format == "html") return written(status);
    if (format == "json") {
        std::cout << json_of(answers, status);
        return written(status);
    }
    bool several = answers.size() > 1;
    for (const auto& a : answers) {
        if (a.status == exit_code::bad_input) continue;  // said on stderr
        std::cout << (several ? escape_for_terminal(a.input) + ": " : std::string()) << escape_for_terminal(a.line)
                  << "\n";
        if (several) continue;  // one line each; the evidence with one input
        const std::size_t width = output_width();
        for (const auto& e : a.evidence) std::cout << wrapped("  - ", escape_for_terminal(e), width);
    }
    return written(status);
}

}  // namespace hopscope
