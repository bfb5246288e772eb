#include "input/text_bounce.hh"

#include <array>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "base/utf8.hh"
#include "input/header_block.hh"
#include "input/status_code.hh"

namespace hopscope {
namespace {

constexpr std::size_t kMaxLines = 20000;         // lines of a bounce's text looked at
constexpr std::size_t kMaxRecipients = 200;      // recipients kept
constexpr std::size_t kMaxOriginal = 256 << 10;  // an inline original header block kept

std::string_view trim_view(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The lines of `text`, without their line ends.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty() && out.size() < kMaxLines) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out.push_back(line);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
}

std::string field(std::string_view s) {
    return valid_utf8_prefix(s, kMaxBounceField);
}

// What follows a marker line (and the blank lines after it): the returned message.
std::optional<std::string> after_marker(std::string_view text, std::string_view marker) {
    auto at = text.find(marker);
    if (at == std::string_view::npos) return std::nullopt;
    auto nl = text.find('\n', at);
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(nl + 1);
    while (!rest.empty() && (rest.front() == '\n' || rest.front() == '\r')) rest.remove_prefix(1);
    if (rest.empty()) return std::nullopt;
    return std::string(rest);
}

// The header block after line `from`: up to the first blank line (a pasted
// block may have lost its folding; the paste reader mends that).
std::optional<std::string> header_block_after(const std::vector<std::string_view>& lines, std::size_t from) {
    while (from < lines.size() && trim_view(lines[from]).empty()) ++from;
    std::string out;
    for (std::size_t i = from; i < lines.size() && out.size() < kMaxOriginal; ++i) {
        if (trim_view(lines[i]).empty()) {
            // An empty line ends the block; one of white space alone, with
            // more header text right after it, is a fold the prose's line
            // wrapping left bare (a DKIM signature's, in Outlook's PR_BODY):
            // dropped, and the block goes on.
            std::string_view l = lines[i];
            while (!l.empty() && (l.back() == '\r' || l.back() == '\n')) l.remove_suffix(1);
            if (l.empty() || i + 1 >= lines.size() || trim_view(lines[i + 1]).empty()) break;
            continue;
        }
        out.append(lines[i]);
        out.push_back('\n');
    }
    if (out.empty()) return std::nullopt;
    return out;
}

// An address in a line: "<a@b>", "a@b<mailto:a@b>", "a@b on <date>", "a@b".
std::optional<std::string> address_in(std::string_view line) {
    auto at = line.find('@');
    if (at == std::string_view::npos) return std::nullopt;
    auto start = line.find_last_of(" \t<:;,(", at);
    start = start == std::string_view::npos ? 0 : start + 1;
    auto end = line.find_first_of(" \t\r>;,)<", at);
    std::string_view a = line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    while (!a.empty() && (a.back() == '.' || a.back() == ':')) a.remove_suffix(1);
    if (a.size() < 3 || a.front() == '@' || a.back() == '@') return std::nullopt;
    return field(a);
}

// A host as a diagnostic writes it: "mx.example.jp", "mx.example.jp[192.0.2.1]",
// "mx.example.jp." or "192.0.2.1"; empty when the word is none.
std::string_view host_word(std::string_view w) {
    w = trim_view(w);
    w = w.substr(0, w.find_first_of(" [\t"));
    while (!w.empty() && (w.back() == '.' || w.back() == ':' || w.back() == ',')) w.remove_suffix(1);
    if (w.empty() || w.size() > 255 || w.find('.') == std::string_view::npos ||
        w.find_first_of("<>@()'\"=") != std::string_view::npos)
        return {};
    return w;
}

// The word that ends just before `end` (skipping one "[192.0.2.1]").
std::string_view word_before(std::string_view text, std::size_t end) {
    for (int step = 0; step < 2; ++step) {
        while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
        std::size_t start = text.find_last_of(" \t\n", end == 0 ? 0 : end - 1);
        start = start == std::string_view::npos || end == 0 ? 0 : start + 1;
        std::string_view w = text.substr(start, end - start);
        if (!(w.starts_with("[") && step == 0)) return w;
        end = start;
    }
    return {};
}

// The host a prose diagnostic names as the remote server, by the phrasings
// of the MTAs that write them.
std::optional<std::string> remote_host_in(std::string_view text) {
    // The host follows these words ...
    for (std::string_view before : {"host ", "connect to ", "while talking to ", "Connected to "}) {
        for (std::size_t at = text.find(before); at != std::string_view::npos; at = text.find(before, at + 1)) {
            if (at > 0 && text[at - 1] != ' ' && text[at - 1] != '\n' && text[at - 1] != '(') continue;
            std::string_view host = host_word(text.substr(at + before.size(), 300));
            if (!host.empty()) return field(host);
        }
    }
    // ... or comes before these.
    for (std::string_view after :
         {" failed after I sent the message", " does not like recipient", " did not like our ", " said: "}) {
        auto at = text.find(after);
        if (at == std::string_view::npos) continue;
        std::string_view host = host_word(word_before(text, at));
        if (!host.empty()) return field(host);
    }
    // Gmail: "... rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.1]."
    if (auto at = text.find("for the recipient domain "); at != std::string_view::npos)
        if (auto by = text.find(" by ", at); by != std::string_view::npos && by - at < 300) {
            std::string_view host = host_word(text.substr(by + 4, 300));
            if (!host.empty()) return field(host);
        }
    return std::nullopt;
}

// A recipient's diagnostic gathered from lines: status and remote host from it.
void finish_recipient(BounceRecipient& r, const std::string& diagnostic) {
    std::string_view said = trim_view(diagnostic);  // the readers join lines with a space after each
    if (said.empty()) return;
    if (!r.diagnostic) r.diagnostic = field(said);
    if (!r.status)
        if (auto code = find_status_code(diagnostic)) r.status = *code;
    if (!r.remote_mta) r.remote_mta = remote_host_in(diagnostic);
}

// A new recipient, or nullptr past kMaxRecipients (read over, not kept).
BounceRecipient* add_recipient(BounceReport& report, std::string address, std::string_view action = "failed") {
    if (report.recipients.size() >= kMaxRecipients) return nullptr;
    BounceRecipient r;
    r.address = std::move(address);
    r.action = std::string(action);
    report.recipients.push_back(std::move(r));
    return &report.recipients.back();
}

// A notice of success or delay that names no recipient still says what
// happened: one recipient without an address, of that action.
void unnamed_recipient(BounceReport& report, std::string_view action) {
    if (!report.recipients.empty() || action == "failed") return;
    if (auto* r = add_recipient(report, std::string(), action)) r->address.reset();
}

// The prose readers' common loop: a recipient, then its diagnostic lines
// joined, then status and remote host read from them when the next
// recipient (or the end) comes.
class RecipientLines {
  public:
    explicit RecipientLines(BounceReport& report) : report_(report) {}
    void start(std::string address, std::string_view action = "failed") {
        finish();
        current_ = add_recipient(report_, std::move(address), action);
    }
    void add(std::string_view line) {
        if (current_ == nullptr) return;
        if (!diagnostic_.empty()) diagnostic_ += ' ';
        if (diagnostic_.size() < kMaxBounceField) diagnostic_ += line;
    }
    void finish() {
        if (current_ != nullptr) finish_recipient(*current_, diagnostic_);
        current_ = nullptr;
        diagnostic_.clear();
    }
    [[nodiscard]] bool open() const { return current_ != nullptr; }
    // The address that stands for a recipient named by no address (Exim's
    // "save to FILE" under "generated by ADDRESS").
    void generated_by(std::string address) {
        if (current_ != nullptr && current_->address && current_->address->find('@') == std::string::npos)
            current_->address = std::move(address);
    }

  private:
    BounceReport& report_;
    BounceRecipient* current_ = nullptr;
    std::string diagnostic_;
};

// The returned message after the first marker line found, as text.
void take_original(std::string_view text, BounceReport& report, std::initializer_list<std::string_view> markers) {
    for (std::string_view marker : markers)
        if (!report.original) report.original = after_marker(text, marker);
    if (report.original) report.original_kind = "text";
}

// "HOST." to the end of the line: the host a sentence names, less its full stop.
std::string_view host_of_sentence(std::string_view rest) {
    std::string_view host = trim_view(rest.substr(0, rest.find('\n')));
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    return host;
}

// --- Microsoft -------------------------------------------------------------

// Labels of Microsoft's NDRs, per language (Exchange 2007+, Exchange Online).
constexpr std::array<std::string_view, 9> kDiagnosticLabels{"Diagnostic information for administrators",
                                                            "Informations de diagnostic pour les administrateurs",
                                                            "Diagnoseinformationen für Administratoren",
                                                            "Información de diagnóstico para administradores",
                                                            "Informazioni di diagnostica per gli amministratori",
                                                            "Diagnostische informatie voor beheerders",
                                                            "Informações de diagnóstico para administradores",
                                                            "More Info for Email Admins",
                                                            "Error Details"};
constexpr std::array<std::string_view, 9> kGeneratingLabels{
    "Generating server",      "Serveur de génération", "Generierender Server",
    "Servidor de generación", "Server di generazione", "Genererende server",
    "Servidor de geração",    "DSN generated by",      "Sent by"};
constexpr std::array<std::string_view, 12> kOriginalLabels{
    "Encabezados originales del mensaje",   "Original message headers",         "Original Message Headers",
    "En-têtes de message d'origine",        "En-tetes de message d'origine",    "Ursprüngliche Nachrichtenkopfzeilen",
    "Ursprüngliche Nachrichtenheader",      "Encabezados del mensaje original", "Encabezados de mensajes originales",
    "Intestazioni originali del messaggio", "Oorspronkelijke berichtkoppen",    "Cabeçalhos originais da mensagem"};

// "Label : value" or "Label: value" at the start of a trimmed line; the value.
std::optional<std::string_view> labelled(std::string_view line, std::string_view label) {
    if (!istarts_with(line, label)) return std::nullopt;
    std::string_view rest = trim_view(line.substr(label.size()));
    if (rest.empty() || rest.front() != ':') return std::nullopt;
    return trim_view(rest.substr(1));
}

bool is_label_line(std::string_view line, std::string_view label) {
    if (!istarts_with(line, label)) return false;
    std::string_view rest = trim_view(line.substr(label.size()));
    return rest.empty() || rest == ":";
}

// The lead sentences of Microsoft's notices that are no failure (Exchange
// 2013 and later, Exchange Online), each with the action it reports for the
// recipients listed under it. Where each comes from:
struct MicrosoftLead {
    std::string_view lead;
    std::string_view action;
};
constexpr std::array<MicrosoftLead, 4> kMicrosoftLeads{{
    // A "Delivered:" report of Exchange 2013, kept in a public test
    // (multipart/report, Action: delivered), and Outlook's rendering of one.
    {"Your message has been delivered to the following recipients", "delivered"},
    // A "Relayed:" report: Microsoft Learn, "Delivery receipts aren't
    // generated when users send mail to external recipients" (KB 3184617).
    {"Delivery to these recipients or groups is complete, but no delivery notification was sent by the destination "
     "server",
     "relayed"},
    // A "Delivery delayed:" report of Exchange 2013/2016, kept in public
    // tests (with "This message hasn't been delivered yet").
    {"Delivery is delayed to these recipients or groups", "delayed"},
    // Portuguese "Entregue:" reports, as a public CRM matches their body.
    {"A sua mensagem foi entregue aos seguintes destinatários", "delivered"},
}};

// The lead of a Microsoft notice of success or delay among the first
// `limit` lines, its action and the line after it; nullopt when none.
std::optional<std::pair<std::string_view, std::size_t>> microsoft_lead(const std::vector<std::string_view>& lines,
                                                                       std::size_t limit) {
    for (std::size_t i = 0; i < lines.size() && i < limit; ++i) {
        std::string_view l = trim_view(lines[i]);
        for (const auto& m : kMicrosoftLeads)
            if (istarts_with(l, m.lead)) return std::pair{m.action, i + 1};
    }
    return std::nullopt;
}

bool is_host_word(std::string_view s) {
    return !s.empty() && s.size() < 256 && s.find_first_of(" \t@<>'\"") == std::string_view::npos &&
           s.find('.') != std::string_view::npos;
}

}  // namespace

bool read_microsoft_ndr(std::string_view text, BounceReport& report) {
    auto lines = lines_of(text);
    std::size_t diagnostic_at = lines.size();
    for (std::size_t i = 0; i < lines.size() && diagnostic_at == lines.size(); ++i) {
        std::string_view l = trim_view(lines[i]);
        for (auto label : kDiagnosticLabels)
            if (istarts_with(l, label)) diagnostic_at = i;
        for (auto label : kGeneratingLabels)
            if (labelled(l, label)) diagnostic_at = i;
    }
    if (diagnostic_at == lines.size()) return false;
    report.kind = "microsoft-ndr";
    // A delay warning in the same layout: its recipients are delayed, not failed.
    const auto lead = microsoft_lead(lines, diagnostic_at);
    const bool had_recipients = !report.recipients.empty();
    BounceReport seen;  // what the text says, merged below
    BounceRecipient* current = nullptr;
    bool after_generating = false;
    // The server whose reply the report gives as the outcome ("Receiving
    // server: X"); a "Server at Y returned" of another is an earlier attempt.
    std::string_view receiving;
    std::optional<std::string> original;
    // The modern layout names the recipient before the administrators' part.
    for (std::size_t i = 0; i < diagnostic_at; ++i) {
        std::string_view l = trim_view(lines[i]);
        for (std::string_view lead : {"Your message to ", "Votre message à ", "Ihre Nachricht an "})
            if (istarts_with(l, lead) && seen.recipients.empty())
                if (auto a = address_in(l.substr(lead.size()))) current = add_recipient(seen, *a);
    }
    for (std::size_t i = diagnostic_at; i < lines.size(); ++i) {
        std::string_view l = trim_view(lines[i]);
        bool is_original = false;
        for (auto label : kOriginalLabels)
            if (is_label_line(l, label)) is_original = true;
        if (is_original) {
            original = header_block_after(lines, i + 1);
            break;
        }
        bool generating = false;
        for (auto label : kGeneratingLabels)
            if (auto v = labelled(l, label)) {
                std::string_view host = v->substr(0, v->find_first_of(" \t"));
                if (!host.empty() && !seen.generating_server) seen.generating_server = field(host);
                generating = true;
                after_generating = true;
            }
        if (auto v = labelled(l, "Receiving server")) {
            receiving = v->substr(0, v->find_first_of(" \t"));
            continue;
        }
        if (generating || l.empty()) continue;
        // The modern layout's fields are about the one recipient it names, or an unnamed one.
        auto about = [&]() -> BounceRecipient& {
            if (current == nullptr)
                current = seen.recipients.empty() ? add_recipient(seen, std::string()) : &seen.recipients.back();
            return *current;
        };
        if (auto v = labelled(l, "Status code")) {
            if (auto code = find_status_code(*v)) about().status = *code;
            continue;
        }
        if (auto v = labelled(l, "Message rejected by")) {
            if (current != nullptr && is_host_word(*v) && !current->remote_mta) current->remote_mta = field(*v);
            continue;
        }
        if (auto v = l.starts_with("Error") ? labelled(l, "Error") : labelled(l, "Reported error")) {
            finish_recipient(about(), std::string(*v));
            continue;
        }
        if (auto v = labelled(l, "Remote server")) {
            if (current != nullptr && is_host_word(*v)) current->remote_mta = field(*v);
            continue;
        }
        // "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'"
        auto quote = l.find(" returned '");
        if (quote != std::string_view::npos && current != nullptr) {
            std::string_view said = l.substr(quote + 11);
            if (!said.empty() && said.back() == '\'') said.remove_suffix(1);
            // "<time> - Server at neko.example.jp (192.0.2.7) returned '...'",
            // newest first: a server that is neither the generating nor the
            // receiving one is the destination at an earlier attempt.
            if (auto at = l.substr(0, quote).find("Server at "); at != std::string_view::npos && !receiving.empty()) {
                std::string_view server = trim_view(l.substr(at + 10, quote - at - 10));
                std::string_view host = server.substr(0, server.find_first_of(" \t"));
                if (is_host_word(host) && !iequals(host, receiving) &&
                    !(seen.generating_server && iequals(host, *seen.generating_server))) {
                    if (!current->last_attempt_server) {
                        current->last_attempt_server = field(server);
                        current->last_attempt_result = field(said);
                    }
                    continue;
                }
            }
            current->diagnostic = field(said);
            if (auto code = find_status_code(said)) current->status = *code;
            continue;
        }
        // Exchange 2010's "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##" under the address.
        if (l.size() > 2 && l.front() == '#' && current != nullptr && !current->diagnostic) {
            std::string_view said = l.substr(1);
            while (!said.empty() && said.back() == '#') said.remove_suffix(1);
            said = trim_view(said);
            current->diagnostic = field(said);
            if (auto code = find_status_code(said)) current->status = *code;
            continue;
        }
        if (!after_generating) continue;
        // The recipients of the classic layout: an address alone on its line,
        // then (when another server refused) that server's name alone.
        if (l.find(' ') == std::string_view::npos && l.find('@') != std::string_view::npos) {
            if (auto a = address_in(l)) current = add_recipient(seen, *a);
        } else if (current != nullptr && is_host_word(l) && !current->remote_mta) {
            current->remote_mta = field(l);
        }
    }
    if (!report.generating_server) report.generating_server = seen.generating_server;
    if (!report.reporting_mta) report.reporting_mta = seen.generating_server;
    if (!had_recipients) {
        report.recipients = std::move(seen.recipients);
        if (lead) {
            for (auto& r : report.recipients) r.action = std::string(lead->first);
            unnamed_recipient(report, lead->first);
        }
    } else {  // the report's recipients keep their fields; the text fills the gaps
        for (auto& r : report.recipients)
            for (const auto& s : seen.recipients)
                if (!s.address || !r.address || iequals(*s.address, *r.address)) {
                    if (!r.status) r.status = s.status;
                    if (!r.remote_mta) r.remote_mta = s.remote_mta;
                    if (!r.diagnostic) r.diagnostic = s.diagnostic;
                    if (!r.last_attempt_server) {
                        r.last_attempt_server = s.last_attempt_server;
                        r.last_attempt_result = s.last_attempt_result;
                    }
                    break;
                }
    }
    for (auto& r : report.recipients)
        if (r.address && r.address->empty()) r.address.reset();
    if (!report.original && original) {
        report.original = std::move(original);
        report.original_kind = "inline";
    }
    return true;
}

namespace {

// --- Microsoft's notices of success ----------------------------------------

// The layout of a report of success without the administrators' section:
// the lead sentence, each recipient on its line ("Name (a@b)<mailto:a@b>"),
// then "Subject: ..." and the rest.
bool read_microsoft_notice(std::string_view text, BounceReport& report) {
    auto lines = lines_of(text);
    auto lead = microsoft_lead(lines, 40);
    if (!lead) return false;
    report.kind = "microsoft-notification";
    for (std::size_t i = lead->second; i < lines.size(); ++i) {
        std::string_view l = trim_view(lines[i]);
        if (istarts_with(l, "Subject:") || istarts_with(l, "Assunto:")) break;
        if (l.starts_with("<mailto:")) continue;  // the second line of a wrapped recipient
        if (auto a = address_in(l)) add_recipient(report, *a, lead->first);
    }
    unnamed_recipient(report, lead->first);
    return true;
}

// --- Exim ------------------------------------------------------------------

// "This message was created automatically by mail delivery software." then
// each failed address on a line of its own, indented two, and its error
// indented four; the message after "------ This is a copy of ...".
bool read_exim(std::string_view text, BounceReport& report) {
    if (text.find("This message was created automatically by mail delivery software") == std::string_view::npos)
        return false;
    report.kind = "exim";
    // Exim's delay warning (its default warn_message_file text): the
    // addresses still being tried, each with its "Delay reason:".
    std::string_view action =
        text.find("has not yet been delivered to one or more of its") != std::string_view::npos ? "delayed" : "failed";
    RecipientLines recipients(report);
    for (std::string_view line : lines_of(text)) {
        if (line.starts_with("------ ")) break;
        std::string_view words = trim_view(line);
        // An address, or a local delivery's file or pipe ("save to FILE",
        // "pipe to |COMMAND", the bare path), with "generated by ADDRESS" under it.
        if (line.starts_with("  ") && !line.starts_with("   ") &&
            (words.find('@') != std::string_view::npos || words.starts_with("save to ") ||
             words.starts_with("pipe to ") || words.starts_with('/') || words.starts_with('|')))
            recipients.start(field(words), action);
        else if (line.starts_with("    ") && words.starts_with("generated by ")) {
            if (words.find('@') != std::string_view::npos) recipients.generated_by(field(trim_view(words.substr(13))));
        } else if (line.starts_with("    "))
            recipients.add(words);
        else if (words.empty())
            recipients.finish();
    }
    recipients.finish();
    unnamed_recipient(report, action);
    take_original(text, report, {"------ This is a copy of the message"});
    return true;
}

// --- qmail -----------------------------------------------------------------

// "Hi. This is the qmail-send program at HOST." then "<address>:" and its
// error lines; the message after "--- Below this line is a copy".
// Yahoo's qmail-derived layout opens "Sorry, we were unable to deliver your
// message to the following address." instead, at the start of a line
// (Sisimai's Lhost::Yahoo reads the same layout); the rest is qmail's.
bool read_qmail(std::string_view text, BounceReport& report) {
    auto at = text.find("This is the qmail-send program at ");
    if (at == std::string_view::npos) {
        static constexpr std::string_view kYahoo = "Sorry, we were unable to deliver your message to the following";
        at = text.find(kYahoo);
        if (at == std::string_view::npos || (at > 0 && text[at - 1] != '\n')) return false;
        report.kind = "qmail";
    } else {
        report.kind = "qmail";
        if (auto host = host_of_sentence(text.substr(at + 34)); !host.empty()) report.reporting_mta = field(host);
    }
    RecipientLines recipients(report);
    for (std::string_view line : lines_of(text)) {
        if (line.starts_with("--- ")) break;
        if (line.starts_with("<") && line.ends_with(">:"))
            recipients.start(field(line.substr(1, line.size() - 3)));
        else if (!trim_view(line).empty())
            recipients.add(trim_view(line));
        else
            recipients.finish();
    }
    recipients.finish();
    // Yahoo ends each reply with the host that gave it: "... - mta4011.mail.gq1.yahoo.com [RCPT_TO]".
    for (auto& r : report.recipients) {
        if (r.remote_mta || !r.diagnostic) continue;
        std::string_view d = trim_view(*r.diagnostic);
        auto open = d.rfind(" [");
        auto dash = open == std::string_view::npos ? std::string_view::npos : d.rfind(" - ", open);
        if (dash == std::string_view::npos || !d.ends_with("]")) continue;
        std::string_view host = d.substr(dash + 3, open - dash - 3);
        if (!host.empty() && host.find_first_of(" \t") == std::string_view::npos &&
            host.find('.') != std::string_view::npos)
            r.remote_mta = field(host);
    }
    take_original(text, report,
                  {"--- Below this line is a copy of the message", "--- Enclosed is a copy of the message"});
    return true;
}

// --- Postfix ---------------------------------------------------------------

// "This is the mail system at host HOST." (or "This is the Postfix program
// at host HOST."), then "<address>: diagnostic" with indented continuation
// lines. The returned message, when Postfix sends text only, is not in it.
bool read_postfix(std::string_view text, BounceReport& report) {
    std::string_view host;
    for (std::string_view lead : {"This is the mail system at host ", "This is the Postfix program at host "})
        if (auto at = text.find(lead); at != std::string_view::npos && host.empty())
            host = host_of_sentence(text.substr(at + lead.size()));
    if (host.empty()) return false;
    report.kind = "postfix";
    report.reporting_mta = field(host);
    // Postfix's built-in delay and success templates (bounce_templates.c):
    // "# THIS IS A WARNING ONLY. ..." and "Your message was successfully
    // delivered to the destination(s) listed below."
    const bool delayed = text.find("THIS IS A WARNING ONLY") != std::string_view::npos;
    const bool success = text.find("Your message was successfully delivered") != std::string_view::npos;
    RecipientLines recipients(report);
    for (std::string_view line : lines_of(text)) {
        if (line.starts_with("<") && line.find('@') != std::string_view::npos) {
            auto a = address_in(line);
            if (!a) continue;
            recipients.start(*a);
            if (auto colon = line.find(">:"); colon != std::string_view::npos)
                recipients.add(trim_view(line.substr(colon + 2)));
        } else if ((line.starts_with(" ") || line.starts_with("\t")) && !trim_view(line).empty()) {
            recipients.add(trim_view(line));
        } else {
            recipients.finish();
        }
    }
    recipients.finish();
    for (auto& r : report.recipients) {
        if (delayed) r.action = "delayed";
        if (!success) continue;
        // "delivered to mailbox" (local), "alias expanded", else "delivery via HOST: 250 ..." (relayed).
        std::string_view said = r.diagnostic ? std::string_view(*r.diagnostic) : std::string_view();
        r.action = said.find("delivered to ") != std::string_view::npos ? "delivered"
                   : said.find("expanded") != std::string_view::npos    ? "expanded"
                                                                        : "relayed";
    }
    unnamed_recipient(report, delayed ? "delayed" : success ? "delivered" : "failed");  // the template's own words
    return true;
}

// --- Sendmail --------------------------------------------------------------

// "----- The following addresses had permanent fatal errors -----", the
// addresses, "----- Transcript of session follows -----" with the remote's
// replies, the message after "----- Original message follows -----".
// Sendmail's headings (savemail.c) also list the addresses that had
// "successful delivery notifications", each with "(successfully delivered
// to mailbox)", "(relayed to non-DSN-aware mailer)", "(expanded by alias)"
// or "(successfully delivered to mailing list)", and those that had
// "transient non-fatal errors" (still being tried).
std::string_view sendmail_action(std::string_view heading, std::string_view line) {
    if (heading.find("successful delivery") != std::string_view::npos) {
        if (line.find("(relayed") != std::string_view::npos) return "relayed";
        if (line.find("(expanded") != std::string_view::npos || line.find("mailing list)") != std::string_view::npos)
            return "expanded";
        return "delivered";
    }
    if (heading.find("transient non-fatal") != std::string_view::npos) return "delayed";
    return "failed";
}

bool read_sendmail(std::string_view text, BounceReport& report) {
    if (text.find("----- The following addresses had permanent fatal errors -----") == std::string_view::npos &&
        text.find("----- The following addresses had successful delivery notifications -----") ==
            std::string_view::npos &&
        text.find("----- The following addresses had transient non-fatal errors -----") == std::string_view::npos &&
        text.find("----- Transcript of session follows -----") == std::string_view::npos)
        return false;
    report.kind = "sendmail";
    auto lines = lines_of(text);
    bool in_addresses = false;
    bool in_transcript = false;
    std::string_view heading;
    std::string transcript;
    for (std::string_view line : lines) {
        std::string_view l = trim_view(line);
        if (l.starts_with("----- The following addresses had")) {
            in_addresses = true;
            in_transcript = false;
            heading = l;
            continue;
        }
        if (l.starts_with("----- Transcript of session follows")) {
            in_addresses = false;
            in_transcript = true;
            continue;
        }
        if (l.starts_with("----- ")) break;  // the original message
        if (in_addresses && l.find('@') != std::string_view::npos && !l.starts_with("(expanded from")) {
            if (auto a = address_in(l)) add_recipient(report, *a, sendmail_action(heading, l));
        } else if (in_addresses && l.empty() && !report.recipients.empty()) {
            in_addresses = false;
        } else if (in_transcript && !l.empty() && transcript.size() < kMaxBounceField) {
            if (!transcript.empty()) transcript += ' ';
            transcript += l;
        }
    }
    if (report.recipients.empty())
        if (auto* unnamed = add_recipient(report, std::string(), sendmail_action(heading, "")))
            unnamed->address.reset();
    for (auto& r : report.recipients)  // the transcript is about the failures and delays
        if (r.action == "failed" || r.action == "delayed" || !r.action) finish_recipient(r, transcript);
    take_original(text, report,
                  {"----- Original message follows -----", "----- Unsent message follows -----",
                   "----- Message header follows -----"});
    return true;
}

// --- Gmail (legacy text notices) -------------------------------------------

bool read_gmail(std::string_view text, BounceReport& report) {
    auto at = text.find("Delivery to the following recipient");
    if (at == std::string_view::npos) return false;
    report.kind = "gmail";
    std::string_view sentence = text.substr(at, text.find('\n', at) - at);
    std::string_view action = sentence.find("delayed") != std::string_view::npos ? "delayed" : "failed";
    auto lines = lines_of(text.substr(at));
    BounceRecipient* current = nullptr;
    for (std::size_t i = 1; i < lines.size() && i < 6; ++i)
        if (auto a = address_in(trim_view(lines[i]))) {
            current = add_recipient(report, *a, action);
            break;
        }
    if (current == nullptr) return true;
    std::string diagnostic;
    bool in_error = false;
    for (std::string_view line : lines) {
        std::string_view l = trim_view(line);
        if (l.starts_with("----- ")) break;
        // "The error that the other server returned was:", or Gmail's own
        // "Technical details of permanent failure:" (its mailbox store's refusal).
        if (l.starts_with("The error that the other server returned was") ||
            l.starts_with("Technical details of permanent failure:") ||
            l.starts_with("Technical details of temporary failure:")) {
            in_error = true;
            auto colon = l.find(':');
            std::string_view rest =
                colon == std::string_view::npos ? std::string_view() : trim_view(l.substr(colon + 1));
            if (!rest.empty() && diagnostic.size() < kMaxBounceField) diagnostic += std::string(rest) + " ";
            continue;
        }
        if (in_error && !l.empty() && diagnostic.size() < kMaxBounceField) diagnostic += std::string(l) + " ";
        if (!in_error && l.starts_with("Google tried to deliver your message")) {
            current->remote_mta = remote_host_in(l);
            if (diagnostic.empty()) diagnostic = std::string(l) + " ";
        }
    }
    finish_recipient(*current, diagnostic);
    take_original(text, report, {"----- Original message -----"});
    return true;
}

// --- Exchange 5.5 / 2003 ---------------------------------------------------

// "Your message ... did not reach the following recipient(s):" then
// "address on DATE" and the reason indented below (MSEXCH:IMS codes).
bool read_exchange_legacy(std::string_view text, BounceReport& report) {
    auto at = text.find("did not reach the following recipient(s):");
    if (at == std::string_view::npos) at = text.find("The following recipient(s) could not be reached:");
    if (at == std::string_view::npos) return false;
    report.kind = "exchange-legacy";
    RecipientLines recipients(report);
    std::size_t indent = 0;  // of the recipient lines; the reasons are indented deeper
    auto lines = lines_of(text.substr(at));
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        std::string_view l = trim_view(line);
        std::size_t depth = line.find_first_not_of(" \t");
        bool recipient_line = l.find('@') != std::string_view::npos && l.find(" on ") != std::string_view::npos &&
                              (!recipients.open() || depth <= indent);
        if (recipient_line) {
            indent = depth;
            recipients.finish();
            if (auto a = address_in(l.substr(0, l.find(" on ")))) recipients.start(*a);
        } else if (!l.empty() && depth > indent) {
            recipients.add(l);
        } else {
            recipients.finish();
        }
    }
    recipients.finish();
    return true;
}

// --- DragonFly Mail Agent --------------------------------------------------

bool read_dragonfly(std::string_view text, BounceReport& report) {
    auto at = text.find("This is the DragonFly Mail Agent");
    if (at == std::string_view::npos) return false;
    report.kind = "dragonfly";
    std::string_view first = text.substr(at, text.find('\n', at) - at);
    if (auto host_at = first.rfind(" at "); host_at != std::string_view::npos)
        if (auto host = host_of_sentence(first.substr(host_at + 4)); !host.empty()) report.reporting_mta = field(host);
    auto to = text.find("There was an error delivering your mail to ");
    if (to != std::string_view::npos) {
        std::string_view rest = text.substr(to);
        std::string_view line = rest.substr(0, rest.find('\n'));
        if (auto a = address_in(line)) {
            // Its error: the lines up to the copied headers.
            RecipientLines recipients(report);
            recipients.start(*a);
            auto end = rest.find("Message headers follow.");
            std::string_view body = rest.substr(line.size(), end == std::string_view::npos ? 2048 : end - line.size());
            for (std::string_view l : lines_of(body))
                if (!trim_view(l).empty()) recipients.add(trim_view(l));
            recipients.finish();
        }
    }
    take_original(text, report, {"Message headers follow."});
    return true;
}

// --- Appliance notices: "Delivery failed: address" -------------------------

bool read_delivery_failed(std::string_view text, BounceReport& report) {
    auto at = text.find("\nDelivery failed: ");
    if (at == std::string_view::npos) return false;
    std::string_view rest = text.substr(at + 1);
    std::string_view line = rest.substr(0, rest.find('\n'));
    auto a = address_in(line);
    if (!a) return false;
    report.kind = "text";
    RecipientLines recipients(report);
    recipients.start(*a);
    for (std::string_view l : lines_of(rest.substr(std::min(rest.size(), line.size() + 1)))) {
        l = trim_view(l);
        if (l.empty() || l.starts_with("-----")) break;
        recipients.add(l);
    }
    recipients.finish();
    return true;
}

// --- Mimecast ---------------------------------------------------------------

// Mimecast's own text/plain "[Postmaster] Email Delivery Failure" notice
// (sisimai's Lhost::Mimecast and its lhost-mimecast-01 sample): "An email that
// you attempted to send to the following address could not be delivered:",
// then the recipient, the problem and the remote's reply, each on a line
// starting "-- ". No Reporting-MTA: the gateway names itself only in its
// Message-Id (…@us-mta-587.us.mimecast.lan); the refusing server is the host
// in brackets after the reply.
bool read_mimecast(std::string_view text, BounceReport& report) {
    constexpr std::string_view kLead = "attempted to send to the following address could not be";
    std::string joined;  // the lead may wrap (quoted-printable soft breaks are decoded; plain wraps are not)
    auto lines = lines_of(text);
    std::size_t start = lines.size();
    for (std::size_t i = 0; i < lines.size() && i < 40; ++i) {
        joined.assign(trim_view(lines[i]));
        if (i + 1 < lines.size()) joined.append(" ").append(trim_view(lines[i + 1]));
        if (joined.find(kLead) != std::string::npos) {
            start = i + 1;
            break;
        }
    }
    if (start >= lines.size()) return false;
    report.kind = "mimecast";
    RecipientLines recipients(report);
    for (std::size_t i = start; i < lines.size() && i < start + 400; ++i) {
        std::string_view l = trim_view(lines[i]);
        if (!l.starts_with("-- ")) continue;
        std::string_view v = trim_view(l.substr(3));
        if (v.find(' ') == std::string_view::npos && v.find('@') != std::string_view::npos) {
            if (auto a = address_in(v)) recipients.start(*a);
            continue;
        }
        recipients.add(v);
    }
    recipients.finish();
    // "... Access denied. [QQQQQQE00000000.jpnprd01.prod.outlook.com 2024-02-19T09:30:25.255Z ...]"
    for (auto& r : report.recipients) {
        if (r.remote_mta || !r.diagnostic) continue;
        std::string_view d = *r.diagnostic;
        auto open = d.rfind('[');
        if (open == std::string_view::npos) continue;
        std::string_view host = host_word(d.substr(open + 1, d.find_first_of(" ]", open + 1) - open - 1));
        if (!host.empty() && host.find('.') != std::string_view::npos) r.remote_mta = field(host);
    }
    return !report.recipients.empty();
}

}  // namespace

bool read_text_bounce(std::string_view text, BounceReport& report) {
    for (auto* reader : {read_exim, read_qmail, read_sendmail, read_postfix, read_gmail, read_exchange_legacy,
                         read_dragonfly, read_delivery_failed, read_mimecast, read_microsoft_notice}) {
        BounceReport r;
        if (reader(text, r)) {
            report = std::move(r);
            return true;
        }
    }
    return false;
}

}  // namespace hopscope
