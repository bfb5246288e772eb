#include "cli/analysis_options.hh"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <span>

#include "base/limits.hh"
#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/hop_classifier.hh"
#include "classify/item_class.hh"
#include "classify/message_analysis.hh"
#include "cli/input_source.hh"
#include "cli/mapped_file.hh"
#include "cli/pst_file.hh"
#include "input/mbox_splitter.hh"
#include "input/pst_reader.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

std::string default_config_path() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0')
        return std::string(xdg) + "/hopscope/config";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return std::string(home) + "/.config/hopscope/config";
    return {};
}

}  // namespace

void add_config_option(po::options_description& desc) {
    desc.add_options()("config", po::value<std::string>()->value_name("FILE"),
                       "config file (default ~/.config/hopscope/config; see hopscope-config(5))");
}

void add_analysis_options(po::options_description& desc, AnalysisOptions& opts) {
    desc.add_options()("relay", po::value(&opts.relays)->composing()->value_name("HOST"),
                       "your relay: HOST, IP or CIDR (repeatable); traversal then requires EOP to have received "
                       "from it, or it to have taken the message before EOP's sender")(
        "internal-net", po::value(&opts.internal_nets)->composing()->value_name("CIDR"),
        "a network of your organisation (repeatable)")(
        "rule", po::value(&opts.rules)->composing()->value_name("RULE"),
        "an extra rule, \"FAMILY KIND PATTERN [EVIDENCE]\" (repeatable): FAMILY is one of eop, exchange-online, "
        "provider, gateway, mx, list, internal or relay; KIND one of by-host, from-host, by-ip, from-ip or with; for "
        "gateway, provider, mx and list the EVIDENCE is the product name")(
        "connectors", po::value(&opts.connectors)->composing()->value_name("FILE"),
        "your Exchange Online configuration: Get-InboundConnector or Get-AcceptedDomain output (ConvertTo-Json, "
        "Format-List or Export-Csv), read by its content (repeatable); see hopscope-connectors(1)");
    add_config_option(desc);
}

void add_pick_options(po::options_description& desc, MessagePick& pick) {
    desc.add_options()(
        "index", po::value<std::uint64_t>()->value_name("N")->notifier([&pick](std::uint64_t n) { pick.index = n; }),
        "in an mbox, the Nth message (from 0: the index audit writes as source.index)")(
        "offset", po::value<std::uint64_t>()->value_name("N")->notifier([&pick](std::uint64_t n) { pick.offset = n; }),
        "in an mbox, the message whose separator line starts at byte N (the offset audit writes as source.offset, "
        "also with --range)")(
        "item", po::value<std::uint32_t>()->value_name("ID")->notifier([&pick](std::uint32_t id) { pick.item = id; }),
        "in a .pst or .ost, the item ID (the id audit writes as source.item)");
}

std::string OptionSources::note(const std::string& option) const {
    return from_config.contains(option) ? " (set in " + config + ")" : std::string();
}

bool OptionSources::given(const po::variables_map& vm, const std::string& option) const {
    return vm.count(option) != 0U && !vm[option].defaulted() && !from_config.contains(option);
}

std::size_t output_width() {
    winsize ws{};
    if (::isatty(STDOUT_FILENO) != 0 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
        char* end = nullptr;
        long n = std::strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && n > 0 && n < 100000) return static_cast<std::size_t>(n);
    }
    return 0;
}

// The terminal's columns when stdout is one, else $COLUMNS when set, else
// 80; at least 80 (narrower terminals wrap the lines themselves) and at most
// 200 (long lines are hard to read).
unsigned help_width() {
    const std::size_t columns = output_width();
    return static_cast<unsigned>(std::clamp<std::size_t>(columns == 0 ? 80 : columns, 80, 200));
}

// Boost cuts a word only when it is longer than half a description line:
// with descriptions at least 40 columns wide, no word of ours is.
po::options_description options_for_help(const std::string& caption) {
    const unsigned width = help_width();
    return po::options_description(caption, width, width / 2);
}

namespace {

std::string joined(std::span<const std::string_view> words) {
    std::string out;
    for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
    return out;
}

bool true_word(const std::string& v) {
    return v == "true" || v == "yes" || v == "on" || v == "1";
}

bool false_word(const std::string& v) {
    return v == "false" || v == "no" || v == "off" || v == "0";
}

// The config file as command-line arguments for `command`: its top-level
// keys that the command takes, then its [command] section, which replaces
// a top-level value (repeatable options add up). A key the file may not
// set, a section that is no command, or a key a section's command does
// not take is an error naming the file.
Result<std::vector<std::string>> config_arguments(const std::string& path, std::string_view command,
                                                  const po::options_description& all) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return make_error(path + ": cannot read the config file: it is a directory");
    errno = 0;
    std::ifstream in(path);
    if (!in) {
        int err = errno;
        return make_error(path + ": cannot read the config file: " +
                          (err != 0 ? std::string(std::strerror(err)) : std::string("unknown error")));
    }
    po::parsed_options parsed(nullptr);
    try {
        parsed = po::parse_config_file(in, po::options_description(), true);
    } catch (const po::error& e) {
        return make_error(path + ": " + e.what());
    }
    std::map<std::string, std::vector<std::string>> top;
    std::map<std::string, std::vector<std::string>> section;
    for (const auto& o : parsed.options) {
        const std::string& key = o.string_key;
        auto dot = key.find('.');
        std::string where = dot == std::string::npos ? std::string() : key.substr(0, dot);
        std::string name = dot == std::string::npos ? key : key.substr(dot + 1);
        if (!where.empty() && std::ranges::find(kCommands, where) == std::end(kCommands))
            return make_error(path + ": [" + where + "] is not a command (the sections are " + joined(kCommands) + ")");
        if (std::ranges::find(kConfigKeys, name) == std::end(kConfigKeys))
            return make_error(path + ": '" + name + "' cannot be set in a config file; it may set " +
                              joined(kConfigKeys));
        const bool takes = all.find_nothrow(name, false) != nullptr;
        if (where == command && !takes)
            return make_error(path + ": [" + where + "] " + name + ": hopscope " + where + " has no --" + name);
        if (!takes || (!where.empty() && where != command)) continue;
        std::string value = o.value.empty() ? std::string() : o.value.front();
        // A connectors file named in the config file is the config file's neighbour.
        if (name == "connectors" && !value.empty() && value != "-" && std::filesystem::path(value).is_relative())
            value = (std::filesystem::path(path).parent_path() / value).string();
        auto& into = where.empty() ? top[name] : section[name];
        into.push_back(std::move(value));
    }
    std::vector<std::string> out;
    auto add = [&](const std::string& name, const std::vector<std::string>& values) -> Result<bool> {
        const auto& semantic = *all.find(name, false).semantic();
        for (const auto& v : values) {
            if (semantic.max_tokens() == 0) {  // a switch: "name = true" or "name = false"
                if (true_word(v))
                    out.push_back("--" + name);
                else if (!false_word(v))
                    return make_error(path + ": " + name + " = " + v + ": say true or false");
            } else {
                out.push_back("--" + name + "=" + v);
            }
        }
        return true;
    };
    for (const auto& [name, values] : top) {
        auto own = section.find(name);
        const bool repeatable = all.find(name, false).semantic()->is_composing();
        if (own != section.end() && !repeatable) continue;  // the section's value replaces it
        if (auto ok = add(name, values); !ok) return ok.error();
    }
    for (const auto& [name, values] : section)
        if (auto ok = add(name, values); !ok) return ok.error();
    return out;
}

}  // namespace

bool parse_command_line(const std::vector<std::string>& args, const po::options_description& visible,
                        const po::options_description& hidden, const char* positional, int max_positional,
                        po::variables_map& vm, const char* command, OptionSources* sources) {
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description pos;
    if (positional != nullptr) pos.add(positional, max_positional);
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    } catch (const po::too_many_positional_options_error&) {
        std::cerr << "hopscope " << command << ": "
                  << (max_positional == 0 ? std::string("takes no FILE")
                                          : std::string("reads one FILE (or -); hopscope audit reads many"))
                  << "\n";
        return false;
    } catch (const po::error& e) {
        std::cerr << "hopscope " << command << ": " << e.what() << "\n";
        return false;
    }
    if (visible.find_nothrow("config", false) != nullptr && vm.count("help") == 0U) {
        std::string path;
        bool explicit_path = vm.count("config") != 0U;
        if (explicit_path)
            path = vm["config"].as<std::string>();
        else
            path = default_config_path();
        // The error_code form: a home this user may not read (HOME of another
        // user under sudo or setpriv) means no default config, not a crash.
        std::error_code ec;
        if (!path.empty() && (explicit_path || std::filesystem::exists(path, ec))) {
            auto extra = config_arguments(path, command, all);
            if (!extra) {
                std::cerr << "hopscope " << command << ": " << extra.error().message << "\n";
                return false;
            }
            std::set<std::string> before;
            for (const auto& [name, value] : vm)
                if (!value.defaulted()) before.insert(name);
            try {
                po::store(po::command_line_parser(*extra).options(all).run(), vm);
            } catch (const po::error& e) {
                std::cerr << "hopscope " << command << ": " << path << ": " << e.what() << "\n";
                return false;
            }
            if (sources != nullptr) {
                sources->config = path;
                for (const auto& [name, value] : vm)
                    if (!value.defaulted() && !before.contains(name)) sources->from_config.insert(name);
            }
        }
    }
    try {
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "hopscope " << command << ": " << e.what() << "\n";
        return false;
    }
    return true;
}

Result<Trace> analyse_bytes(std::string_view bytes, const std::string& name, const RuleSet& rules,
                            std::string* raw_headers, std::string_view report_body) {
    if (is_pst(bytes))
        return make_error(name +
                          ": a PST/OST mailbox: --item ID reads one item of it (the id audit writes as source.item); "
                          "hopscope audit reads every item");
    std::string outlook_headers;
    auto trace = analyse_message(bytes, rules, &outlook_headers, nullptr, nullptr, report_body);
    if (raw_headers != nullptr) {
        raw_headers->clear();
        if (!outlook_headers.empty()) {
            *raw_headers = outlook_headers;
        } else {
            for (const auto& f : split_header_block(bytes).fields) {
                raw_headers->append(f.name).append(":").append(f.raw);
                if (raw_headers->back() != '\n') raw_headers->push_back('\n');
            }
        }
    }
    if (!trace) return make_error(name + ": " + trace.error().message + (bytes.empty() ? " (the input is empty)" : ""));
    return trace;
}

namespace {

// One item of a PST/OST by its node id.
Result<Trace> analyse_pst_item(const std::string& file, const std::string& name, std::uint32_t id, const RuleSet& rules,
                               std::string* raw_headers) {
    auto pst = PstFile::open(file);
    if (!pst) return pst.error();
    auto item = pst->item(id);
    if (!item) return make_error(name + ": " + item.error().message);
    const std::string where = name + " item " + std::to_string(id);
    if (!item->headers || item->headers->find_first_not_of(" \t\r\n") == std::string::npos)
        return make_error(where + ": no transport headers, nothing to trace: " + item_class_words(item->message_class) +
                          " (audit skips it)");
    auto trace = analyse_bytes(*item->headers, where, rules, raw_headers, item->report_body.value_or(""));
    if (trace) trace->input_kind = "pst-item";
    return trace;
}

}  // namespace

Result<Trace> analyse_one(const std::string& file, const RuleSet& rules, std::string* raw_headers,
                          const MessagePick& pick) {
    const bool stdin_input = file.empty() || file == "-";
    const char* picked = pick.index ? "--index" : pick.offset ? "--offset" : pick.item ? "--item" : nullptr;
    if (int(pick.index.has_value()) + int(pick.offset.has_value()) + int(pick.item.has_value()) > 1)
        return make_error("--index, --offset and --item each pick a message: give one of them");
    if (picked != nullptr && stdin_input)
        return make_error(std::string(picked) + " picks a message of a FILE, not of standard input");
    if (file.empty() && ::isatty(STDIN_FILENO) != 0)
        std::cerr << "Paste the message or its headers, then press Ctrl-D on an empty line.\n";
    auto input = read_input(file);
    if (!input) return input.error();
    const std::string& bytes = input->bytes;
    if (pick.item) {
        if (!is_pst(bytes))
            return make_error(input->name + ": --item picks an item of a .pst or .ost file; this is none");
        return analyse_pst_item(file, input->name, *pick.item, rules, raw_headers);
    }
    if (looks_like_mbox(bytes)) {
        // Which message of the mbox: counted over the whole file (mapped),
        // or over what was read of standard input.
        std::shared_ptr<MappedFile> mapped;
        std::string_view all = bytes;
        if (!stdin_input) {
            auto m = MappedFile::open(file);
            if (!m) return m.error();
            mapped = std::move(*m);
            all = mapped->bytes();
        }
        if (pick.offset) {
            const MboxPart part = mbox_part(all, *pick.offset, *pick.offset + 1);
            if (*pick.offset >= all.size() || part.begin != *pick.offset)
                return make_error(
                    input->name + ": no message of the mbox starts at byte " + std::to_string(*pick.offset) +
                    (part.begin < all.size() ? " (the next one starts at byte " + std::to_string(part.begin) + ")"
                                             : std::string()));
            MboxSplitter split(all, part.begin);
            auto span = split.next();
            if (!span) return make_error(input->name + ": no message at byte " + std::to_string(*pick.offset));
            return analyse_bytes(all.substr(span->offset, span->length),
                                 input->name + " (offset " + std::to_string(*pick.offset) + ")", rules, raw_headers);
        }
        const std::uint64_t want = pick.index.value_or(0);
        MboxSplitter split(all);
        std::uint64_t count = 0;
        std::optional<MessageSpan> chosen;
        while (auto span = split.next()) {
            if (count++ == want) {
                chosen = span;
                if (pick.index) break;  // the note that counts them is not printed
            }
        }
        const bool cut = stdin_input && bytes.size() > limits::max_header_block_bytes;
        const std::string how_many =
            (cut ? "at least " : "") + std::to_string(count) + (count == 1 ? " message" : " messages");
        if (!chosen) return make_error(input->name + ": mbox of " + how_many + ": no message #" + std::to_string(want));
        if (!pick.index && count > 1)
            std::cerr << "hopscope: " << input->name << ": mbox of " << how_many
                      << ": tracing #0; use audit, or --index N\n";
        std::string name = input->name + (count > 1 || pick.index ? " #" + std::to_string(want) : std::string());
        return analyse_bytes(all.substr(chosen->offset, chosen->length), name, rules, raw_headers);
    }
    if (pick.index && *pick.index != 0)
        return make_error(input->name + ": one message, not an mbox: no message #" + std::to_string(*pick.index) +
                          " (audit numbers a single message #0)");
    if (pick.offset) return make_error(input->name + ": one message, not an mbox: --offset picks a message of an mbox");
    return analyse_bytes(bytes, input->name, rules, raw_headers);
}

Result<RuleSet> build_rules(const AnalysisOptions& opts, const OptionSources* sources) {
    RuleSet rules = RuleSet::builtin();
    auto fail = [&](const Error& e, const std::string& option) {
        return make_error(e.message + (sources != nullptr ? sources->note(option) : std::string()));
    };
    for (const auto& r : opts.rules)
        if (auto ok = rules.add_rule_line(r); !ok) return fail(ok.error(), "rule");
    for (const auto& r : opts.relays)
        if (auto ok = rules.add_relay(r); !ok) return fail(ok.error(), "relay");
    for (const auto& n : opts.internal_nets)
        if (auto ok = rules.add_internal_net(n); !ok) return fail(ok.error(), "internal-net");
    if (!opts.connectors.empty()) {
        auto config = read_connector_files(opts.connectors);
        if (!config) return make_error("--connectors " + config.error().message);
        rules.set_connectors(std::move(*config));
    }
    return rules;
}

Result<ConnectorConfig> read_connector_files(const std::vector<std::string>& paths) {
    ConnectorConfig all;
    for (const auto& p : paths) {
        std::string name = p == "-" ? std::string("<stdin>") : p;
        std::string bytes(kMaxConnectorFileBytes + 1, '\0');
        std::streamsize got = 0;
        if (p == "-") {
            std::cin.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            got = std::cin.gcount();
        } else {
            std::error_code ec;
            if (std::filesystem::is_directory(p, ec)) return make_error(p + ": a directory, not a connectors file");
            std::ifstream in(p, std::ios::binary);
            if (!in) return make_error(p + ": cannot read: " + std::strerror(errno));
            in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            got = in.gcount();
            if (in.bad()) return make_error(p + ": cannot read: " + std::strerror(errno));
        }
        bytes.resize(static_cast<std::size_t>(got));
        auto config = read_connector_config(bytes, name);
        if (!config) return config.error();
        merge_config(all, std::move(*config));
    }
    return all;
}

}  // namespace hopscope
