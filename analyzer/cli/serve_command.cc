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
#include <memory>
#include <thread>
#include <vector>

#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "input/form_data.hh"
#include "input/mbox_splitter.hh"
#include "report/html_report.hh"
#include "report/html_writer.hh"

namespace po = boost::program_options;
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace hopscope {
namespace {

constexpr std::size_t kMaxBody = std::size_t{32} << 20;  // a request body: a large mbox export's worth
constexpr std::size_t kMaxHeader = 16 << 10;
constexpr int kMaxConnections = 16;                        // at once; more are answered 503 and closed
constexpr auto kReadTimeout = std::chrono::seconds(15);    // a client that sends slower is cut off
constexpr auto kLinger = std::chrono::seconds(5);          // after an answer, for the client to close its side
constexpr std::size_t kMaxLinger = std::size_t{64} << 20;  // read and dropped meanwhile
constexpr std::size_t kMaxMessagesShown = 20;              // of a dropped mbox

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

std::string paste_form() {
    return "<section class=\"noprint\"><form method=\"post\" action=\"/report\" enctype=\"multipart/form-data\">"
           "<p><label for=\"headers\"><strong>Paste the headers</strong> (Outlook's \"Internet headers\", Gmail's "
           "\"Show original\", or a whole message)</label></p>"
           "<textarea id=\"headers\" name=\"headers\" spellcheck=\"false\" autofocus></textarea>"
           "<p><label>or choose files (.eml, Outlook .msg, mbox): <input type=\"file\" name=\"file\" "
           "multiple></label></p>"
           "<p><button type=\"submit\" id=\"analyse\">Analyse</button> <span class=\"muted\">Nothing leaves this "
           "machine: hopscope answers on 127.0.0.1 and makes no request.</span></p></form></section>\n";
}

std::string page(std::string_view title, const std::string& body) {
    std::string out = html_page_start(title, html_style(), html_script(), true);
    out += "<h1>" + html_text(title) + "</h1>\n" + body;
    out +=
        "<p class=\"actions noprint\"><a class=\"button\" id=\"download-json\" download=\"trace.json\" hidden>Download "
        "JSON</a></p>\n<footer>hopscope serve, on this machine only.</footer>\n";
    out += html_page_end(html_script());
    return out;
}

// The report part of the page for one input (pasted text or a file): one
// message, or the first messages of an mbox.
std::string reports_for(const std::string& name, std::string_view bytes, const RuleSet& rules) {
    std::string out;
    auto one = [&](std::string_view message, const std::string& label) {
        std::string raw;
        auto trace = analyse_bytes(message, label, rules, &raw);
        out += "<section class=\"report\"><h2>" + html_text(label) + "</h2>\n";
        if (!trace)
            out +=
                "<section class=\"banner bad\"><strong>" + html_text(trace.error().message) + "</strong></section>\n";
        else
            out += render_html_sections(*trace, {label, raw});
        out += "</section>\n";
    };
    if (looks_like_mbox(bytes)) {
        MboxSplitter split(bytes);
        std::size_t n = 0;
        std::size_t more = 0;
        while (auto span = split.next()) {
            if (n < kMaxMessagesShown)
                one(bytes.substr(span->offset, span->length), name + " #" + std::to_string(n));
            else
                ++more;
            ++n;
        }
        if (more > 0)
            out += "<p class=\"muted\">" + std::to_string(more) + " more messages in " + html_text(name) +
                   ": <code>hopscope audit --format html</code> summarises a whole mailbox.</p>\n";
        return out;
    }
    one(bytes, name);
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

http::response<http::string_body> respond(http::status status, std::string body, unsigned version, bool html) {
    http::response<http::string_body> res{status, version};
    secure_headers(res);
    res.set(http::field::content_type, html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
    res.body() = std::move(body);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

http::response<http::string_body> handle(const http::request<http::string_body>& req, const Settings& s) {
    const unsigned v = req.version();
    if (!s.any_host && !loopback_host(sv(req[http::field::host]), s.port))
        return respond(http::status::misdirected_request, "hopscope serves 127.0.0.1 and localhost only\n", v, false);
    std::string_view origin = sv(req[http::field::origin]);
    if (!origin.empty() && !s.any_host && !loopback_origin(origin, s.port))
        return respond(http::status::forbidden, "cross-origin requests are refused\n", v, false);
    std::string_view target = sv(req.target());
    if (req.method() == http::verb::get && (target == "/" || target == "/index.html"))
        return respond(http::status::ok, page("hopscope: paste headers", paste_form()), v, true);
    if (req.method() == http::verb::post && target == "/report") {
        std::string body;
        int inputs = 0;
        for (const auto& f : read_form_data(sv(req[http::field::content_type]), req.body())) {
            if (f.bytes.find_first_not_of(" \t\r\n") == std::string::npos) continue;
            std::string name = f.filename.empty() ? std::string("pasted headers") : f.filename;
            body += reports_for(name, f.bytes, *s.rules);
            ++inputs;
        }
        if (inputs == 0)
            body =
                "<section class=\"banner warn\"><strong>Nothing to analyse: paste headers or choose a "
                "file.</strong></section>\n";
        return respond(http::status::ok, page("hopscope report", paste_form() + body), v, true);
    }
    if (target == "/" || target == "/report")
        return respond(http::status::method_not_allowed, "method not allowed\n", v, false);
    return respond(http::status::not_found, "not found\n", v, false);
}

std::atomic<int> g_connections{0};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, const Settings& s) : stream_(std::move(socket)), settings_(s) {}
    ~Session() { --g_connections; }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start() {
        parser_.emplace();
        parser_->body_limit(kMaxBody);
        parser_->header_limit(kMaxHeader);
        stream_.expires_after(kReadTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void reject_busy() { send(respond(http::status::service_unavailable, "busy: try again\n", 11, false)); }

  private:
    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            send(respond(http::status::payload_too_large, "request body over 32 MB\n", 11, false));
            return;
        }
        if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof) return;
        if (ec) {
            send(respond(http::status::bad_request, "malformed request\n", 11, false));
            return;
        }
        send(handle(parser_->get(), settings_));
    }

    void send(http::response<http::string_body> res) {
        auto shared = std::make_shared<http::response<http::string_body>>(std::move(res));
        stream_.expires_after(kReadTimeout);
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
    beast::flat_buffer buffer_;
    std::array<char, 16384> scratch_{};  // what a lingering close reads and drops
    std::size_t drained_ = 0;
    std::optional<http::request_parser<http::string_body>> parser_;
    const Settings& settings_;
};

void accept(tcp::acceptor& acceptor, const Settings& s) {
    acceptor.async_accept([&acceptor, &s](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;  // stopping
        if (!ec) {
            bool busy = ++g_connections > kMaxConnections;
            auto session = std::make_shared<Session>(std::move(socket), s);
            if (busy)
                session->reject_busy();
            else
                session->start();
        }
        accept(acceptor, s);
    });
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
    unsigned short port = 8025;
    std::string bind = "127.0.0.1";
    bool allow_remote = false;
    bool open = false;
    AnalysisOptions analysis;
    po::options_description opts("serve options");
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
                     "A page on this machine to paste headers into (or drop .eml and mbox files on) and get the "
                     "HTML report.\n\n"
                  << opts
                  << "\nExit codes: 0 stopped by Ctrl-C or SIGTERM, 2 the port could not be listened on, 64 bad "
                     "usage.\n";
        return exit_code::ok;
    }
    auto rules = build_rules(analysis, vm);
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
    accept(acceptor, settings);
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
    // A few threads: a paste is analysed in milliseconds, a dropped mbox in
    // longer, and one slow analysis must not hold the page for everyone.
    constexpr int kThreads = 3;  // and this one
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) threads.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : threads) t.join();
    std::cerr << "hopscope serve: stopped\n";
    return exit_code::ok;
}

}  // namespace hopscope
