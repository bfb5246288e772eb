#include "report/connectors_report.hh"

#include <algorithm>

#include "report/display_text.hh"
#include "report/json_writer.hh"
#include "report/trace_json.hh"

namespace hopscope {
namespace {

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string form_title(const std::string& form) {
    if (form == "json") return "ConvertTo-Json";
    if (form == "format-list") return "Format-List";
    if (form == "csv") return "Export-Csv";
    return form;
}

std::string render_lint_text(const ConnectorConfig& config, const std::vector<LintFinding>& findings) {
    std::string out;
    for (const auto& s : config.sources) {
        std::size_t connectors = 0;
        std::size_t domains = 0;
        for (const auto& c : config.connectors) connectors += c.file == s.file ? 1 : 0;
        for (const auto& d : config.accepted_domains) domains += d.file == s.file ? 1 : 0;
        std::string what;
        if (connectors > 0 || domains == 0) what = plural(connectors, "connector", "connectors");
        if (domains > 0) what += (what.empty() ? "" : " and ") + plural(domains, "accepted domain", "accepted domains");
        out += "Read " + what + " from " + escape_for_terminal(s.file) + " (" + form_title(s.form) + ")\n";
    }
    for (const auto& n : config.notes) out += "  " + escape_for_terminal(n) + "\n";
    if (!config.accepted_domains_given && !config.connectors.empty())
        out +=
            "  no accepted domains given: certificate domains are not checked against them "
            "(add a Get-AcceptedDomain export)\n";

    // The table: one row per finding, its sources numbered below it.
    std::vector<std::string> sources;
    struct Row {
        std::vector<std::string> cells;
    };
    std::vector<Row> rows;
    rows.push_back({{"SEVERITY", "CONNECTOR", "PROPERTY", "WHERE", "FINDING"}});
    for (const auto& f : findings) {
        auto at = std::find(sources.begin(), sources.end(), f.source);
        std::size_t n = static_cast<std::size_t>(at - sources.begin()) + 1;
        if (at == sources.end()) sources.push_back(f.source);
        std::string where = f.file + (f.line > 0 ? ":" + std::to_string(f.line) : std::string());
        rows.push_back({{f.severity, escape_for_terminal(f.connector), f.property, escape_for_terminal(where),
                         escape_for_terminal(f.message) + " [" + std::to_string(n) + "]"}});
    }
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t notes = 0;
    for (const auto& f : findings) {
        errors += f.severity == "error" ? 1 : 0;
        warnings += f.severity == "warning" ? 1 : 0;
        notes += f.severity == "note" ? 1 : 0;
    }
    out += "\n";
    if (findings.empty()) {
        out += "No findings.\n";
    } else {
        std::vector<std::size_t> widths(4, 0);
        for (const auto& r : rows)
            for (std::size_t i = 0; i < widths.size(); ++i) widths[i] = std::max(widths[i], display_width(r.cells[i]));
        for (const auto& r : rows) {
            std::string line;
            for (std::size_t i = 0; i < widths.size(); ++i) line += pad(r.cells[i], widths[i]) + "  ";
            out += line + r.cells[4] + "\n";
        }
        out += "\n";
        for (std::size_t i = 0; i < sources.size(); ++i)
            out += "[" + std::to_string(i + 1) + "] " + escape_for_terminal(sources[i]) + "\n";
        out += "\n";
    }
    out += plural(errors, "error", "errors") + ", " + plural(warnings, "warning", "warnings") + ", " +
           plural(notes, "note", "notes") + " in " + plural(config.connectors.size(), "connector", "connectors") +
           ".\n";
    return out;
}

std::string lint_to_json(const ConnectorConfig& config, const std::vector<LintFinding>& findings) {
    JsonWriter w(true);
    w.begin_object();
    w.member("schema", std::int64_t{kJsonSchemaVersion}).member("kind", "connectors-lint");
    w.member("connectors", static_cast<std::int64_t>(config.connectors.size()));
    w.key("findings").begin_array();
    for (const auto& f : findings)
        w.begin_object()
            .member("connector", f.connector)
            .member("property", f.property)
            .member("severity", f.severity)
            .member("message", f.message)
            .member("source", f.source)
            .member("rule", f.rule)
            .member("file", f.file)
            .member("line", static_cast<std::int64_t>(f.line))
            .end_object();
    w.end_array();
    w.end_object();
    std::string out = w.take();
    out.push_back('\n');
    return out;
}

}  // namespace hopscope
