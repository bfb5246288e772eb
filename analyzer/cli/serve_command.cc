#include "cli/serve_command.hh"

// <utility> before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/program_options.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/utf8.hh"
#include "classify/relay_verdict.hh"
#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "cli/pst_file.hh"
#include "input/connector_config.hh"
#include "input/form_data.hh"
#include "input/mbox_splitter.hh"
#include "report/html_report.hh"
#include "report/html_writer.hh"
#include "report/text_report.hh"

namespace po = boost::program_options;
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace hopscope {
namespace {

constexpr std::size_t kMaxBody = std::size_t{32} << 20;  // a request body: a large mbox export's worth
constexpr std::size_t kMaxHeader = 16 << 10;
// A connection waiting for its request head costs a socket and a few
// kilobytes: many may wait, and past kMaxIdle the one that waited longest
// is dropped. Only requests with a body to read and analyse count against
// kMaxAnalyses; more than that are answered 503.
constexpr std::size_t kMaxIdle = 512;
constexpr auto kHeadTimeout = std::chrono::seconds(5);             // for the request head: a client slower is cut off
constexpr int kMaxAnalyses = 16;                                   // bodies being read or analysed at once
constexpr auto kBodyTimeout = std::chrono::seconds(15);            // for the body
constexpr auto kLinger = std::chrono::seconds(5);                  // after an answer, for the client to close its side
constexpr std::size_t kMaxLinger = std::size_t{64} << 20;          // read and dropped meanwhile
constexpr std::size_t kMaxMessagesShown = 20;                      // of an mbox or a PST, per input
constexpr std::size_t kMaxEcho = std::size_t{1} << 20;             // of a paste, put back into the textarea
constexpr std::size_t kMaxRelayField = 1024;                       // the "my relay" field
constexpr std::size_t kMaxRelays = 16;                             // names in it
constexpr std::size_t kMaxConnectorsField = std::size_t{1} << 20;  // the pasted connector configuration
constexpr std::size_t kMaxTitle = 200;                             // characters of a subject in <title>

std::string_view sv(beast::string_view s) {
    return {s.data(), s.size()};
}

struct Settings {
    unsigned short port = 0;
    bool any_host = false;  // --allow-remote: the Host check cannot know the names then
    const RuleSet* rules = nullptr;
};

// The loopback names a page of ours is reached by; anything else in Host is
// a DNS-rebinding attempt (a foreign name that resolves to 127.0.0.1).
bool loopback_host(std::string_view host, unsigned short port) {
    const std::string p = ":" + std::to_string(port);
    return std::ranges::any_of(std::array<std::string_view, 3>{"127.0.0.1", "localhost", "[::1]"},
                               [&](std::string_view name) { return host == name || host == std::string(name) + p; });
}

bool loopback_origin(std::string_view origin, unsigned short port) {
    const std::string p = ":" + std::to_string(port);
    return std::ranges::any_of(std::array<std::string_view, 3>{"http://127.0.0.1", "http://localhost", "http://[::1]"},
                               [&](std::string_view name) { return origin == std::string(name) + p; });
}

// What the form held when it was posted, shown again on the report page.
struct FormValues {
    std::string headers;  // the paste (at most kMaxEcho bytes of it)
    bool headers_cut = false;
    std::string relay;       // "my relay": HOST, IP or CIDR, several separated by spaces or commas
    std::string min_tls;     // "minimum TLS": "", "1.0", "1.1", "1.2" or "1.3"
    std::string connectors;  // Get-InboundConnector / Get-AcceptedDomain output, pasted
    bool connectors_cut = false;
    // Each is read from the posted form in answer_report(), capped and
    // validated there (or in rules_for() when it changes the rules), and laid
    // out again in setup_fields().
};

// The set-up questions a report depends on, asked on the page rather than
// by restarting serve with options: each field, its label and its help.
std::string setup_fields(const FormValues& v) {
    std::string out = "<fieldset><legend>Your set-up (optional)</legend>";
    out += "<p><label for=\"relay\">My relay</label> <input type=\"text\" id=\"relay\" name=\"relay\" maxlength=\"" +
           std::to_string(kMaxRelayField) +
           "\" spellcheck=\"false\" placeholder=\"relay.contoso.com, "
           "198.51.100.77 or 198.51.100.0/24\" value=\"" +
           html_field_text(v.relay) +
           "\"><br><span class=\"muted\">HOST, IP or CIDR, as <code>--relay</code> (several: separated by spaces): "
           "the message then counts as traversed only when EOP received it from your relay.</span></p>";
    out += "<p><label for=\"min_tls\">Minimum TLS</label> <select id=\"min_tls\" name=\"min_tls\">";
    for (std::string_view option : {"", "1.0", "1.1", "1.2", "1.3"})
        out += "<option value=\"" + std::string(option) + "\"" + (v.min_tls == option ? " selected" : "") + ">" +
               (option.empty() ? std::string("any") : "TLS " + std::string(option)) + "</option>";
    out +=
        "</select><br><span class=\"muted\">As <code>check --min-tls</code>: a traversal over older TLS (or TLS "
        "whose version the stamp does not say) is not confirmed. Microsoft retired TLS 1.0 and 1.1 for "
        "SMTP.</span></p>";
    out +=
        "<p><label for=\"connectors\">Connector configuration</label><br><textarea id=\"connectors\" "
        "name=\"connectors\" rows=\"4\" spellcheck=\"false\" placeholder=\"Get-InboundConnector | "
        "ConvertTo-Json -Depth 5 (or | Format-List), and Get-AcceptedDomain | ConvertTo-Json\">\n";
    out += html_field_text(v.connectors);
    out +=
        "</textarea><br><span class=\"muted\">As <code>--connectors</code>: the report then names the inbound "
        "connector that took each message, and why the others cannot have.</span>";
    if (v.connectors_cut)
        out += " <span class=\"muted\">(longer than " + std::to_string(kMaxConnectorsField >> 20) +
               " MB: not read.)</span>";
    out += "</p></fieldset>";
    return out;
}

std::string paste_form(const FormValues& v) {
    std::string out =
        "<section class=\"noprint\"><form method=\"post\" action=\"/report\" enctype=\"multipart/form-data\">"
        "<p><label for=\"headers\"><strong>Paste the headers</strong> (Outlook's \"Internet headers\", Gmail's "
        "\"Show original\", or a whole message)</label></p>"
        "<textarea id=\"headers\" name=\"headers\" spellcheck=\"false\" autofocus>\n";
    out += html_field_text(v.headers);  // the newline before it is eaten by the parser, not the paste's own
    out += "</textarea>";
    if (v.headers_cut)
        out += "<p class=\"muted\">The paste was longer than " + std::to_string(kMaxEcho >> 20) +
               " MB: it was analysed whole but is not shown again here.</p>";
    out +=
        "<p><label>or choose files (.eml, Outlook .msg, mbox, Outlook .pst or .ost): <input type=\"file\" "
        "name=\"file\" multiple></label></p>";
    out += setup_fields(v);
    out +=
        "<p><button type=\"submit\" id=\"analyse\">Analyse</button> <span class=\"muted\">Nothing leaves this "
        "machine: hopscope answers on 127.0.0.1 and makes no request.</span></p></form></section>\n";
    return out;
}

std::string page(std::string_view title, std::string_view heading, const std::string& body) {
    std::string out = html_page_start(title, html_style(), html_script(), true);
    out += "<h1>" + html_text(heading) + "</h1>\n" + body;
    out +=
        "<p class=\"actions noprint\"><a class=\"button\" id=\"download-json\" download=\"trace.json\" hidden>Download "
        "JSON</a></p>\n<footer>hopscope serve, on this machine only.</footer>\n";
    out += html_page_end(html_script());
    return out;
}

// One report of the page: a message, an item of an mbox or of a PST.
struct Report {
    std::string id;     // its anchor: "m1", "m2", ...
    std::string label;  // what it is: "pasted headers", "inbox.mbox #3"
    std::optional<std::string> subject;
    std::string verdict;  // the relay verdict line, or the error
    std::string html;
};

class Reports {
  public:
    Reports(const RuleSet& rules, std::string min_tls) : rules_(rules), min_tls_(std::move(min_tls)) {}

    void message(std::string_view bytes, const std::string& label, std::string_view report_body = {}) {
        std::string raw;
        auto trace = analyse_bytes(bytes, label, rules_, &raw, report_body);
        if (!trace) {
            error(label, trace.error().message);
            return;
        }
        Report r{next_id(), label, trace->subject, {}, {}};
        if (trace->bounce)
            r.verdict = "NOT DELIVERED: " + trace->bounce->status.value_or("no status");
        else if (trace->relay)
            r.verdict = verdict_line(*trace->relay);
        r.html = render_html_sections(*trace, {label, raw});
        // The page's minimum TLS, as check --min-tls judges it.
        if (!trace->bounce && trace->relay)
            if (auto lacks = tls_shortfall(*trace->relay, false, min_tls_)) {
                r.verdict = "NOT CONFIRMED: traversed, but " + *lacks;
                r.html =
                    "<section class=\"banner warn\"><strong>" + html_text(r.verdict) + "</strong></section>\n" + r.html;
            }
        all_.push_back(std::move(r));
    }

    void error(const std::string& label, const std::string& why) {
        Report r{next_id(), label, std::nullopt, why, {}};
        r.html = "<section class=\"banner bad\"><strong>" + html_text(why) + "</strong></section>\n";
        all_.push_back(std::move(r));
    }

    [[nodiscard]] const std::vector<Report>& all() const { return all_; }

  private:
    std::string next_id() { return "m" + std::to_string(all_.size() + 1); }

    const RuleSet& rules_;
    std::string min_tls_;
    std::vector<Report> all_;
};

std::string section(const Report& r) {
    return "<section class=\"report\" id=\"" + r.id + "\"><h2>" + html_text(r.label) + "</h2>\n" + r.html +
           "</section>\n";
}

// An index of the reports [first, end) of one mailbox, each linking to its
// own; `total` counts the mailbox's messages when known (a PST's walk stops
// after the ones shown).
std::string index_html(const std::vector<Report>& reports, std::size_t first, const std::string& name,
                       std::optional<std::size_t> total, std::string_view noun) {
    const std::size_t shown = reports.size() - first;
    std::string out = "<nav class=\"index\"><h2>";
    out += total ? std::to_string(*total) + " " + std::string(noun) + " in " + html_text(name)
                 : "The first " + std::to_string(shown) + " " + std::string(noun) + " of " + html_text(name);
    out += "</h2><ol class=\"index\">";
    for (std::size_t i = first; i < reports.size(); ++i) {
        const Report& r = reports[i];
        out += "<li><a href=\"#" + r.id + "\">" + html_text(r.subject.value_or(r.label)) +
               "</a> <span class=\"muted\">— " + html_text(r.verdict) + "</span></li>";
    }
    out += "</ol>";
    if (!total || *total > shown)
        out += "<p class=\"muted\">" + (total ? "The first " + std::to_string(shown) + " are shown; " : std::string()) +
               "<code>hopscope audit --format html</code> summarises a whole mailbox.</p>";
    return out + "</nav>\n";
}

// The reports of one input (pasted text or a file): one message, the first
// messages of an mbox, or the first items of a PST/OST, those two with an
// index. Returns the part of the page for it.
std::string reports_for(const std::string& name, std::string_view bytes, Reports& reports) {
    const std::size_t first = reports.all().size();
    if (is_pst(bytes)) {
        auto pst = PstFile::open_memory(bytes, name);
        if (!pst) {
            reports.error(name, pst.error().message);
        } else {
            std::uint64_t seen = 0;
            // One more than shown: whether there are more is all that is said of them.
            pst->walk({1, 0, kMaxMessagesShown + 1}, [&](PstItem item) {
                ++seen;
                if (seen > kMaxMessagesShown) return false;
                std::string label = name + ": " + (item.folder.empty() ? std::string("(top)") : item.folder) + " #" +
                                    std::to_string(item.index);
                if (item.error)
                    reports.error(label, *item.error);
                else if (!item.headers || item.headers->find_first_not_of(" \t\r\n") == std::string::npos)
                    reports.error(label, "no transport headers: this item was not received over SMTP (" +
                                             item.message_class.value_or("no message class") + ")");
                else
                    reports.message(*item.headers, label, item.report_body.value_or(""));
                return true;
            });
            std::optional<std::size_t> total;
            if (seen <= kMaxMessagesShown) total = reports.all().size() - first;
            std::string out = index_html(reports.all(), first, name, total, "items");
            for (std::size_t i = first; i < reports.all().size(); ++i) out += section(reports.all()[i]);
            return out;
        }
    } else if (looks_like_mbox(bytes)) {
        MboxSplitter split(bytes);
        std::size_t n = 0;
        while (auto span = split.next()) {
            if (n < kMaxMessagesShown)
                reports.message(bytes.substr(span->offset, span->length), name + " #" + std::to_string(n));
            ++n;
        }
        std::string out = index_html(reports.all(), first, name, n, n == 1 ? "message" : "messages");
        for (std::size_t i = first; i < reports.all().size(); ++i) out += section(reports.all()[i]);
        return out;
    } else {
        reports.message(bytes, name);
    }
    std::string out;
    for (std::size_t i = first; i < reports.all().size(); ++i) out += section(reports.all()[i]);
    return out;
}

template <class Body>
void secure_headers(http::response<Body>& res) {
    res.set(http::field::server, "hopscope");
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "same-origin");  // no-referrer would make the form's Origin "null"
    res.set("Cross-Origin-Resource-Policy", "same-origin");
    res.set("Content-Security-Policy", "default-src 'none'; style-src " + csp_hash(html_style()) + "; script-src " +
                                           csp_hash(html_script()) +
                                           "; img-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "
                                           "'none'");
}

using Response = http::response<http::string_body>;

Response respond(http::status status, std::string body, unsigned version, bool html) {
    Response res{status, version};
    secure_headers(res);
    res.set(http::field::content_type, html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
    res.body() = std::move(body);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

// The answer to a request from its head alone, or nullopt for POST /report,
// whose body is read and analysed.
std::optional<Response> answer_head(const http::request_header<>& req, const Settings& s) {
    const unsigned v = req.version();
    if (!s.any_host && !loopback_host(sv(req[http::field::host]), s.port))
        return respond(http::status::misdirected_request, "hopscope serves 127.0.0.1 and localhost only\n", v, false);
    std::string_view origin = sv(req[http::field::origin]);
    if (!origin.empty() && !s.any_host && !loopback_origin(origin, s.port))
        return respond(http::status::forbidden, "cross-origin requests are refused\n", v, false);
    std::string_view target = sv(req.target());
    if (req.method() == http::verb::get && (target == "/" || target == "/index.html"))
        return respond(http::status::ok,
                       page("hopscope: paste headers", "hopscope: paste headers", paste_form(FormValues{})), v, true);
    if (req.method() == http::verb::post && target == "/report") return std::nullopt;
    if (target == "/" || target == "/report")
        return respond(http::status::method_not_allowed, "method not allowed\n", v, false);
    return respond(http::status::not_found, "not found\n", v, false);
}

// The rules for one report: serve's own, plus the form's relays. An error
// says which entry of the field is wrong.
Result<RuleSet> rules_for(const FormValues& form, const RuleSet& base) {
    bool connectors = form.connectors.find_first_not_of(" \t\r\n") != std::string::npos;
    if (form.connectors_cut)
        return make_error("Connector configuration: longer than " + std::to_string(kMaxConnectorsField >> 20) + " MB");
    if (form.relay.find_first_not_of(" \t\r\n,") == std::string::npos && !connectors) return base;
    if (connectors) {
        auto config = read_connector_config(form.connectors, "the connector configuration field");
        if (!config) return make_error("Connector configuration: " + config.error().message);
        RuleSet rules = base;
        rules.set_connectors(std::move(*config));
        FormValues rest = form;
        rest.connectors.clear();
        return rules_for(rest, rules);
    }
    if (form.relay.size() > kMaxRelayField)
        return make_error("My relay: longer than " + std::to_string(kMaxRelayField) + " characters");
    RuleSet rules = base;
    std::size_t n = 0;
    std::size_t at = 0;
    while ((at = form.relay.find_first_not_of(" \t\r\n,", at)) != std::string::npos) {
        std::size_t end = form.relay.find_first_of(" \t\r\n,", at);
        std::string_view one = std::string_view(form.relay).substr(at, end == std::string::npos ? end : end - at);
        if (++n > kMaxRelays) return make_error("My relay: more than " + std::to_string(kMaxRelays) + " entries");
        if (auto ok = rules.add_relay(one); !ok) return make_error("My relay: " + ok.error().message);
        at = end;
    }
    return rules;
}

Response answer_report(const http::request<http::string_body>& req, const Settings& s) {
    FormValues form;
    std::vector<FormField> inputs;
    for (auto& f : read_form_data(sv(req[http::field::content_type]), req.body())) {
        // The set-up fields (FormValues), then the inputs to analyse.
        if (f.filename.empty() && f.name == "relay") {
            form.relay = f.bytes.substr(0, kMaxRelayField + 1);
            continue;
        }
        if (f.filename.empty() && f.name == "min_tls") {
            for (std::string_view option : {"1.0", "1.1", "1.2", "1.3"})
                if (f.bytes == option) form.min_tls = f.bytes;
            continue;
        }
        if (f.filename.empty() && f.name == "connectors") {
            form.connectors_cut = f.bytes.size() > kMaxConnectorsField;
            if (!form.connectors_cut) form.connectors = f.bytes;
            continue;
        }
        if (f.filename.empty() && f.name == "headers") {
            form.headers_cut = f.bytes.size() > kMaxEcho;
            if (!form.headers_cut) form.headers = f.bytes;
        } else if (f.filename.empty() && f.name != "file") {
            continue;  // a text field that is neither the paste, a file nor a set-up field
        }
        if (f.bytes.find_first_not_of(" \t\r\n") == std::string::npos) continue;
        inputs.push_back(std::move(f));
    }
    std::string body;
    auto rules = rules_for(form, *s.rules);
    std::vector<Report> all;
    if (!rules) {
        body = "<section class=\"banner bad\"><strong>" + html_text(rules.error().message) + "</strong></section>\n";
    } else {
        Reports reports(*rules, form.min_tls);
        for (const auto& f : inputs)
            body += reports_for(f.filename.empty() ? "pasted headers" : f.filename, f.bytes, reports);
        all = reports.all();
        if (inputs.empty())
            body =
                "<section class=\"banner warn\"><strong>Nothing to analyse: paste headers or choose a "
                "file.</strong></section>\n";
    }
    // The tab's title: the message's subject when there is one message.
    std::string title = "hopscope report";
    if (all.size() == 1 && all.front().subject)
        title = valid_utf8_prefix(*all.front().subject, kMaxTitle);
    else if (all.size() > 1)
        title = "hopscope report: " + std::to_string(all.size()) + " messages";
    return respond(http::status::ok, page(title, "hopscope report", paste_form(form) + body), req.version(), true);
}

// Connections waiting for their request head, the longest waiting first.
// Each entry is removed by its own session, once: when its head arrives,
// when it is dropped, or when it ends.
class Session;
class IdleList {
    struct Waiting {
        std::weak_ptr<Session> session;
        bool dropped = false;  // chosen to make room; it removes itself
    };

  public:
    using Entry = std::list<Waiting>::iterator;

    // Adds `s`; returns the connection to drop when that makes too many
    // (none when it is ending anyway).
    std::pair<Entry, std::shared_ptr<Session>> add(std::weak_ptr<Session> s) {
        std::lock_guard lock(mutex_);
        std::shared_ptr<Session> victim;
        if (waiting_ >= kMaxIdle)
            for (auto& w : idle_)
                if (!w.dropped) {
                    w.dropped = true;
                    --waiting_;
                    victim = w.session.lock();
                    break;
                }
        idle_.push_back({std::move(s), false});
        ++waiting_;
        return {std::prev(idle_.end()), victim};
    }

    void remove(Entry e) {
        std::lock_guard lock(mutex_);
        if (!e->dropped) --waiting_;
        idle_.erase(e);
    }

  private:
    std::mutex mutex_;
    std::list<Waiting> idle_;
    std::size_t waiting_ = 0;  // entries not dropped
};

std::atomic<int> g_analyses{0};

// One of the kMaxAnalyses places, held while a body is read and analysed.
class AnalysisSlot {
  public:
    AnalysisSlot() = default;
    AnalysisSlot(const AnalysisSlot&) = delete;
    AnalysisSlot& operator=(const AnalysisSlot&) = delete;
    ~AnalysisSlot() { release(); }

    // False when all are taken.
    bool take() {
        if (++g_analyses > kMaxAnalyses) {
            --g_analyses;
            return false;
        }
        held_ = true;
        return true;
    }
    void release() {
        if (held_) --g_analyses;
        held_ = false;
    }

  private:
    bool held_ = false;
};

// Where connections and analyses run: the sockets on `io` (each connection
// on its own strand), the analyses on `work`, so that a long one (a large
// mbox) never holds up the page for others.
struct Server {
    asio::io_context& io;
    asio::thread_pool& work;
    const Settings& settings;
    // Shared with the sessions: the io_context's last handlers may end them
    // after the server is gone.
    std::shared_ptr<IdleList> idle = std::make_shared<IdleList>();
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, Server& server) : stream_(std::move(socket)), server_(server), idle_(server.idle) {}
    ~Session() {
        if (idle_entry_) idle_->remove(*idle_entry_);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    [[nodiscard]] auto executor() { return stream_.get_executor(); }

    // On the session's strand.
    void start() {
        auto added = idle_->add(weak_from_this());
        idle_entry_ = added.first;
        if (auto dropped = added.second)
            asio::post(dropped->stream_.get_executor(), [dropped] { dropped->drop_if_idle(); });
        parser_.emplace();
        parser_->body_limit(kMaxBody);
        parser_->header_limit(kMaxHeader);
        stream_.expires_after(kHeadTimeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
    }

  private:
    void no_longer_idle() {
        if (idle_entry_) idle_->remove(*idle_entry_);
        idle_entry_.reset();
    }

    // Too many wait: this one waited longest. Closing the socket ends the read.
    void drop_if_idle() {
        if (!idle_entry_) return;
        no_longer_idle();
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

    void on_head(beast::error_code ec) {
        no_longer_idle();
        if (ec == http::error::body_limit) {  // a Content-Length over the cap, known from the head
            send(respond(http::status::payload_too_large, "request body over 32 MB\n", 11, false));
            return;
        }
        if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
            return;
        if (ec) {
            send(respond(http::status::bad_request, "malformed request\n", 11, false));
            return;
        }
        if (auto answer = answer_head(parser_->get(), server_.settings)) {
            send(std::move(*answer));
            return;
        }
        if (!slot_.take()) {
            send(respond(http::status::service_unavailable,
                         "busy: " + std::to_string(kMaxAnalyses) + " analyses are running; try again\n",
                         parser_->get().version(), false));
            return;
        }
        stream_.expires_after(kBodyTimeout);
        // A client that waits for leave to send its body (curl with a large
        // file) gets it now rather than after its own timeout.
        if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
            auto go_on =
                std::make_shared<http::response<http::empty_body>>(http::status::continue_, parser_->get().version());
            http::async_write(stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code e, std::size_t) {
                if (!e) self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_body(e); });
    }

    void on_body(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            send(respond(http::status::payload_too_large, "request body over 32 MB\n", 11, false));
            return;
        }
        if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof) return;
        if (ec) {
            send(respond(http::status::bad_request, "malformed request\n", 11, false));
            return;
        }
        stream_.expires_never();  // the analysis takes what it takes; the slot bounds how many
        asio::post(server_.work, [self = shared_from_this()] {
            Response res = answer_report(self->parser_->get(), self->server_.settings);
            asio::post(self->stream_.get_executor(),
                       [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
        });
    }

    void send(Response res) {
        slot_.release();  // the analysis is over
        auto shared = std::make_shared<Response>(std::move(res));
        stream_.expires_after(kBodyTimeout);
        http::async_write(stream_, *shared, [self = shared_from_this(), shared](beast::error_code, std::size_t) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            self->stream_.expires_after(kLinger);
            self->drain();
        });
    }

    // A lingering close: what the client still sends (the rest of a body
    // refused with 413) is read and dropped until it closes its side. Closed
    // at once, unread bytes make the kernel reset the connection, and the
    // client often never sees the answer. Bounded in time and bytes.
    void drain() {
        stream_.async_read_some(asio::buffer(scratch_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->drained_ += n;
                                    if (!ec && self->drained_ < kMaxLinger) self->drain();
                                });
    }

    beast::tcp_stream stream_;
    Server& server_;
    std::shared_ptr<IdleList> idle_;
    std::optional<IdleList::Entry> idle_entry_;  // while waiting for the request head
    AnalysisSlot slot_;                          // while the body is read and analysed
    beast::flat_buffer buffer_;
    std::array<char, 4096> scratch_{};  // what a lingering close reads and drops
    std::size_t drained_ = 0;
    std::optional<http::request_parser<http::string_body>> parser_;
};

void accept(tcp::acceptor& acceptor, Server& server) {
    acceptor.async_accept(asio::make_strand(server.io), [&acceptor, &server](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;  // stopping
        if (!ec) {
            auto session = std::make_shared<Session>(std::move(socket), server);
            asio::dispatch(session->executor(), [session] { session->start(); });
        }
        accept(acceptor, server);
    });
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
    unsigned short port = 8025;
    std::string bind = "127.0.0.1";
    bool allow_remote = false;
    bool open = false;
    AnalysisOptions analysis;
    po::options_description opts = options_for_help("serve options");
    opts.add_options()("help,h", "show this help")("port,p", po::value(&port)->default_value(8025),
                                                   "TCP port (0: any free one)")(
        "bind", po::value(&bind)->default_value("127.0.0.1"),
        "address to listen on; not loopback needs --allow-remote")(
        "allow-remote", po::bool_switch(&allow_remote),
        "allow --bind to a non-loopback address (a warning is printed)")(
        "open", po::bool_switch(&open), "open the page in the default browser (xdg-open)");
    add_analysis_options(opts, analysis);
    po::options_description hidden;
    po::variables_map vm;
    if (!parse_command_line(args, opts, hidden, nullptr, 0, vm, "serve")) return exit_code::usage;
    if (vm.count("help") != 0U) {
        std::cout << "Usage: hopscope serve [--port N] [--open]\n"
                     "A page on this machine to paste headers into (or drop .eml, .msg, mbox and\n"
                     ".pst files on) and read the HTML report.\n\n"
                  << opts
                  << "\nExit codes: 0 stopped by Ctrl-C or SIGTERM, 2 the port could not be listened\n"
                     "on, 64 bad usage.\n";
        return exit_code::ok;
    }
    auto rules = build_rules(analysis);
    if (!rules) {
        std::cerr << "hopscope serve: " << rules.error().message << "\n";
        return exit_code::usage;
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(bind, ec);
    if (ec) {
        std::cerr << "hopscope serve: --bind '" << bind << "' is not an IP address\n";
        return exit_code::usage;
    }
    if (!address.is_loopback()) {
        if (!allow_remote) {
            std::cerr << "hopscope serve: --bind " << bind
                      << " would let other machines reach the page; add --allow-remote if that is meant\n";
            return exit_code::usage;
        }
        std::cerr << "hopscope serve: WARNING: listening on " << bind
                  << ": anyone who can reach it can have headers analysed here, and the Host check is off\n";
    }

    // A client gone before its answer is written is an error code on its
    // socket, not a signal that ends serve.
    (void)std::signal(SIGPIPE, SIG_IGN);
    asio::io_context io;
    tcp::acceptor acceptor(io);
    tcp::endpoint endpoint(address, port);
    if (acceptor.open(endpoint.protocol(), ec); !ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::cerr << "hopscope serve: cannot listen on " << bind << " port " << port << ": " << ec.message() << "\n";
        return exit_code::bad_input;
    }
    Settings settings{acceptor.local_endpoint().port(), !address.is_loopback(), &*rules};
    // Analyses beside the sockets: a paste takes milliseconds, a dropped
    // mbox or PST longer, and neither holds up the page for others.
    asio::thread_pool work(std::max(2U, std::thread::hardware_concurrency()));
    Server server{io, work, settings};
    std::string host = address.is_v6() ? "[" + bind + "]" : bind;
    std::string url = "http://" + (address.is_loopback() ? std::string("127.0.0.1") : host) + ":" +
                      std::to_string(settings.port) + "/";
    std::cerr << "hopscope serve: " << url << " (Ctrl-C stops)\n";
    std::cout << url << std::endl;  // scripts and tests read the address here

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) {
        beast::error_code ignored;
        acceptor.close(ignored);
        io.stop();
    });
    accept(acceptor, server);
    if (open) {
        // xdg-open gets our own loopback URL only, as one argument: no shell.
        pid_t pid = 0;
        (void)std::signal(SIGCHLD, SIG_IGN);  // the browser's launcher is reaped by the kernel
        std::string arg = url;
        std::array<char*, 3> argv{const_cast<char*>("xdg-open"), arg.data(),
                                  nullptr};  // NOLINT(cppcoreguidelines-pro-type-const-cast): posix_spawn's signature
        posix_spawn_file_actions_t quiet;
        posix_spawn_file_actions_init(&quiet);
        posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&quiet, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp(&pid, "xdg-open", &quiet, nullptr, argv.data(), environ) != 0)
            std::cerr << "hopscope serve: could not open a browser; open " << url << "\n";
        posix_spawn_file_actions_destroy(&quiet);
    }
    // The sockets: this thread and one more.
    std::thread second([&io] { io.run(); });
    io.run();
    second.join();
    work.stop();
    work.join();
    std::cerr << "hopscope serve: stopped\n";
    return exit_code::ok;
}

}  // namespace hopscope
