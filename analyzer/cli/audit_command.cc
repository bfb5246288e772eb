#include "cli/audit_command.hh"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "classify/item_class.hh"
#include "cli/analysis_options.hh"
#include "cli/exit_codes.hh"
#include "cli/input_walker.hh"
#include "cli/mapped_file.hh"
#include "cli/pst_file.hh"
#include "input/mbox_splitter.hh"
#include "input/mbox_stream.hh"
#include "report/audit_record.hh"
#include "report/audit_summary.hh"

namespace po = boost::program_options;

namespace hopscope {
namespace {

// Messages analysed per parallel batch; results of one batch are held, then written in order.
constexpr std::size_t kBatchMessages = 256;
constexpr std::size_t kBatchBytes = std::size_t{8} * 1024 * 1024;

struct Job {
    std::shared_ptr<MappedFile> file;          // keeps the mapping alive (a file)
    std::shared_ptr<const std::string> block;  // keeps the bytes alive (standard input, a PST item's headers)
    std::string_view bytes;
    MessageSource source;
    std::optional<std::string> error{};    // known unreadable before any analysis (a PST folder libpff cannot read)
    std::optional<std::string> skipped{};  // known to be no e-mail message (a PST contact, calendar item, draft)
    bool whole_file = false;               // the bytes are a whole file: no e-mail message at all is skipped
    DashLines dash_lines{};                // an mbox message's "--" lines, as the split noted them
    std::string report_body{};             // a PST/OST report's prose (PstItem::report_body)
};

// The error of a message whose bytes were not all there when it was read:
// the file shrank under the map (a mailbox compacted, expunged or rotated).
std::optional<std::string> changed_while_reading(const Job& j) {
    if (!j.file) return std::nullopt;
    auto now = j.file->shrunk_to();
    if (!now || j.source.offset.value_or(0) + j.bytes.size() <= *now) return std::nullopt;
    return "input changed while reading: " + std::string(j.source.path) + " shrank from " +
           std::to_string(j.file->bytes().size()) + " to " + std::to_string(*now) + " bytes";
}

class Progress {
  public:
    Progress(bool on, std::uint64_t total) : on_(on), total_(total), start_(clock::now()), last_(start_) {}
    void update(std::uint64_t messages, std::uint64_t bytes, bool final = false) {
        if (!on_) return;
        auto now = clock::now();
        if (!final && now - last_ < std::chrono::milliseconds(250)) return;
        last_ = now;
        double secs = std::chrono::duration<double>(now - start_).count();
        double mbs = secs > 0 ? static_cast<double>(bytes) / 1e6 / secs : 0;
        std::string line = "\r" + std::to_string(messages) + (messages == 1 ? " message, " : " messages, ") +
                           std::to_string(static_cast<int>(mbs)) + " MB/s";
        if (total_ > 0) {
            double frac = static_cast<double>(bytes) / static_cast<double>(total_);
            line += ", " + std::to_string(static_cast<int>(frac * 100)) + "%";
            if (frac > 0.01 && !final) line += ", ETA " + std::to_string(static_cast<int>(secs / frac - secs)) + " s";
        }
        line += "   ";
        (void)std::fputs(line.c_str(), stderr);
        if (final) (void)std::fputs("\n", stderr);
    }

  private:
    using clock = std::chrono::steady_clock;
    bool on_;
    std::uint64_t total_;
    clock::time_point start_;
    clock::time_point last_;
};

// Records go to fd 1 in the workers' own buffers, without a copy through
// stdio (which holds nothing by then: the CSV header is flushed first).
// Returns 0, or the errno of a failed write (a full disk, a size limit, a
// closed pipe). `text` holds whole records: a write that fails part way into
// a regular file is cut back, so the output ends on a whole record.
int write_out(std::string_view text) {
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t n = ::write(STDOUT_FILENO, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int error = n < 0 ? errno : EIO;
            off_t at = ::lseek(STDOUT_FILENO, 0, SEEK_CUR);
            if (written > 0 && at >= static_cast<off_t>(written))
                (void)::ftruncate(STDOUT_FILENO, at - static_cast<off_t>(written));
            return error;
        }
        written += static_cast<std::size_t>(n);
    }
    return 0;
}

// A fixed pool of `jobs` analysing threads fed with batches of messages.
// The main thread cuts batches, and writes finished ones strictly in the
// order they were cut, so records come out in input order whatever finishes
// first. At most kMaxInFlight batches are cut ahead, which bounds memory.
class Runner {
  public:
    Runner(const RuleSet& rules, const AuditOptions& options, unsigned jobs, AuditSummary& summary)
        : rules_(rules), options_(options), summary_(summary) {
        for (unsigned t = 0; t < jobs; ++t) workers_.emplace_back([this] { work(); });
    }

    void add(Job job) {
        batch_bytes_ += job.bytes.size();
        batch_.push_back(std::move(job));
        if (batch_.size() >= kBatchMessages || batch_bytes_ >= kBatchBytes) flush();
    }

    // Queues the batch being cut, then writes whatever is finished in order;
    // with kMaxInFlight batches queued it waits for the oldest, so fewer than
    // that are in flight whenever a new one is queued.
    void flush() {
        if (!batch_.empty()) {
            auto b = std::make_unique<Batch>();
            b->jobs = std::move(batch_);
            b->figures.resize(b->jobs.size());
            b->text.resize((b->jobs.size() + kChunk - 1) / kChunk);
            batch_.clear();
            batch_bytes_ = 0;
            std::lock_guard lock(mutex_);
            in_flight_.push_back(std::move(b));
            queue_.push_back(in_flight_.back().get());
            work_ready_.notify_one();
        }
        write_finished(false);
    }

    // Writes everything still in flight.
    void finish() {
        flush();
        write_finished(true);
    }

    ~Runner() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_ready_.notify_all();
        for (auto& t : workers_) t.join();
    }
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

  private:
    static constexpr std::size_t kMaxInFlight = 6;
    static constexpr std::size_t kChunk = 16;  // messages a worker takes at a time
    static constexpr std::size_t kChunkSlack = std::size_t{64} << 10;

    struct Batch {
        std::vector<Job> jobs;
        std::vector<AuditFigures> figures;
        std::vector<ByteBuffer> text;  // the records of each chunk, in order
        std::size_t next = 0;          // next message to hand out (under mutex_)
        std::size_t done = 0;          // messages finished (under mutex_)
    };

    // Workers take a few messages at a time from the oldest batch with work
    // left, so both the batch being finished and the next keep every core busy.
    void work() {
        // Bytes per record in this worker's last chunk: a chunk's text is
        // given room for all its records at once. Grown by doubling instead,
        // each chunk's text was copied over about once more in all.
        std::size_t record_bytes = 0;
        std::unique_lock lock(mutex_);
        while (true) {
            work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            Batch* b = queue_.front();
            std::size_t first = b->next;
            b->next += kChunk;
            if (first >= b->jobs.size()) {
                queue_.pop_front();
                continue;
            }
            std::size_t last = std::min(first + kChunk, b->jobs.size());
            if (last == b->jobs.size()) queue_.pop_front();  // nothing left to hand out
            if (!queue_.empty()) work_ready_.notify_one();   // more to take: wake a sleeping worker now
            lock.unlock();
            ByteBuffer& text = b->text[first / kChunk];
            // A quarter to spare, and 64 KB: the JSON writer asks for room for
            // a field's worst case (six bytes a byte) before it writes it, and
            // the chunk's last records would otherwise copy the whole chunk
            // to a buffer twice the size.
            text.reserve((last - first) * record_bytes * 5 / 4 + kChunkSlack);
            for (std::size_t i = first; i < last; ++i) {
                const Job& j = b->jobs[i];
                std::size_t before = text.size();
                b->figures[i] = j.error     ? audit_unreadable(j.source, *j.error, options_.format, text)
                                : j.skipped ? audit_skipped(j.source, *j.skipped, options_.format, text)
                                            : audit_message(j.bytes, j.source, rules_, options_, text, j.whole_file,
                                                            &j.dash_lines, j.report_body);
                // Checked after the analysis: a read that found zeros has set the flag by then.
                if (auto changed = changed_while_reading(j)) {
                    text.set_size(before);
                    b->figures[i] = audit_unreadable(j.source, std::move(*changed), options_.format, text);
                }
            }
            record_bytes = text.size() / (last - first);
            lock.lock();
            b->done += last - first;
            if (b->done == b->jobs.size()) batch_done_.notify_all();
        }
    }

    void write_finished(bool all) {
        while (true) {
            std::unique_ptr<Batch> b;
            {
                std::unique_lock lock(mutex_);
                if (in_flight_.empty()) return;
                Batch* oldest = in_flight_.front().get();
                if (all || in_flight_.size() >= kMaxInFlight)
                    batch_done_.wait(lock, [&] { return oldest->done == oldest->jobs.size(); });
                if (oldest->done != oldest->jobs.size()) return;
                b = std::move(in_flight_.front());
                in_flight_.pop_front();
            }
            write(*b);
        }
    }

    void write(const Batch& d) {
        // After a failed write the rest is still analysed (the summary and
        // exit code need it) but not written: a record cut in two is worse.
        for (const auto& t : d.text)
            if (write_error_ == 0) write_error_ = write_out(t.view());
        for (std::size_t i = 0; i < d.figures.size(); ++i) summary_.add(d.figures[i], d.jobs[i].source);
        for (const auto& j : d.jobs) {
            if (!j.file) continue;
            if (j.file != said_changed_ && j.file->shrunk_to()) {  // once per input, in input order
                said_changed_ = j.file;
                std::cerr << "hopscope audit: " << j.source.path << ": input changed while reading: shrank from "
                          << j.file->bytes().size() << " to " << *j.file->shrunk_to()
                          << " bytes; the messages past the new end have an error record\n";
            }
            // Give back the pages of what is done.
            if (j.source.offset) j.file->release_before(*j.source.offset);
        }
    }

  public:
    // The errno of the first failed write of records, or 0.
    [[nodiscard]] int write_error() const { return write_error_; }

  private:
    const RuleSet& rules_;
    const AuditOptions& options_;
    AuditSummary& summary_;
    int write_error_ = 0;
    std::shared_ptr<MappedFile> said_changed_;
    std::vector<Job> batch_;
    std::size_t batch_bytes_ = 0;

    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable batch_done_;
    std::deque<std::unique_ptr<Batch>> in_flight_;  // in the order cut
    std::deque<Batch*> queue_;                      // batches with messages not yet handed out
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

// Standard input as one stream, read in blocks: an mbox split by
// MboxStream (only the message being read is carried from block to block),
// or, when it does not start with a separator, one message. Each block is
// shared by the jobs cut from it, so memory stays bounded.
class StreamReader {
  public:
    StreamReader(Runner& runner, Progress& progress, std::uint64_t& count)
        : runner_(runner), progress_(progress), count_(count) {}

    // Returns an error text when reading failed (what was read is still audited).
    std::optional<std::string> run() {
        auto held = std::make_shared<std::string>();
        std::optional<std::string> error;
        std::optional<bool> mbox;
        MboxStream stream(kMaxMessage);
        for (bool eof = false; !eof;) {
            eof = fill(*held, error);
            if (!mbox) mbox = looks_like_mbox(*held);  // a whole block (or all there is) is in hand
            if (!*mbox) {
                // One message: its first kMaxMessage bytes are enough; the rest is read and dropped.
                if (held->size() > kMaxMessage) held->resize(kMaxMessage);
                if (eof) add(held, 0, held->size(), std::nullopt);
                continue;
            }
            auto step = stream.next(*held, eof);
            for (const auto& m : step.messages) add(held, m.offset, m.length, base_ + m.offset);
            base_ += step.keep_from;
            auto rest = std::make_shared<std::string>();
            rest->reserve(held->size() - step.keep_from + kBlock);
            rest->append(*held, step.keep_from);
            held = std::move(rest);  // the old block lives on in its jobs
        }
        return error;
    }

  private:
    static constexpr std::size_t kBlock = std::size_t{8} << 20;
    static constexpr std::size_t kMaxMessage = std::size_t{32} << 20;

    // Appends up to kBlock bytes of stdin; true at the end of the input (or an error).
    static bool fill(std::string& held, std::optional<std::string>& error) {
        std::size_t old = held.size();
        held.resize(old + kBlock);
        std::size_t got = 0;
        bool eof = false;
        while (got < kBlock) {
            ssize_t n = ::read(STDIN_FILENO, held.data() + old + got, kBlock - got);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) error = std::string("cannot read: ") + std::strerror(errno);
            if (n <= 0) {
                eof = true;
                break;
            }
            got += static_cast<std::size_t>(n);
        }
        held.resize(old + got);
        return eof;
    }

    void add(const std::shared_ptr<std::string>& held, std::size_t offset, std::size_t length,
             std::optional<std::uint64_t> at) {
        runner_.add({nullptr, held, std::string_view(*held).substr(offset, length), {"-", at, index_++}});
        progress_.update(++count_, base_ + offset + length);
    }

    Runner& runner_;
    Progress& progress_;
    std::uint64_t& count_;
    std::uint64_t base_ = 0;  // stream offset of the held bytes' first byte
    std::uint64_t index_ = 0;
};

// --range START:END, byte offsets; END left out is the end of the file.
struct ByteRange {
    std::uint64_t start = 0;
    std::uint64_t end = std::numeric_limits<std::uint64_t>::max();
};

Result<ByteRange> parse_range(std::string_view text) {
    auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
        std::uint64_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
        return v;
    };
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return make_error("'" + std::string(text) + "': expected START:END");
    ByteRange r;
    auto start = number(text.substr(0, colon));
    if (!start) return make_error("'" + std::string(text) + "': START is not a byte offset");
    r.start = *start;
    if (colon + 1 < text.size()) {
        auto end = number(text.substr(colon + 1));
        if (!end || *end < r.start)
            return make_error("'" + std::string(text) + "': END is not an offset at or past START");
        r.end = *end;
    }
    return r;
}

}  // namespace

int run_audit(const std::vector<std::string>& args) {
    std::string format = "text";
    unsigned jobs = 0;
    bool quiet = false;
    bool expect_relay = false;
    bool list_inputs = false;
    std::string files_from;
    std::string range_text;
    std::string since_text;
    std::string until_text;
    std::string by;
    std::vector<std::string> paths;
    AnalysisOptions analysis;
    po::options_description opts = options_for_help("audit options");
    opts.add_options()("help,h", "show this help")(
        "format,f", po::value(&format)->default_value("text"),
        "text (summary), json (the summary as an object), html (the summary as a page), jsonl (one record per "
        "message) or csv")("by", po::value(&by)->value_name("sender"),
                           "with --format csv: the audit by sender (one row per origin device and From address) "
                           "instead of one row per message")(
        "since", po::value(&since_text)->value_name("DATE"),
        "only messages at or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC), by their Date header, else "
        "their first stamp")("until", po::value(&until_text)->value_name("DATE"),
                             "only messages up to DATE (a day: its end), as --since")(
        "jobs,j", po::value(&jobs)->default_value(0), "worker threads (0: all cores)")(
        "files-from", po::value(&files_from), "read PATHs one per line from FILE, or - for stdin")(
        "expect-relay", po::bool_switch(&expect_relay),
        "exit 1 when any message is not traversed (the organisation's own mail that reached Microsoft 365 another "
        "way; not applicable is not); 1 wins over 2 and 3")("quiet,q", po::bool_switch(&quiet),
                                                            "no progress line on stderr")(
        "list-inputs", po::bool_switch(&list_inputs),
        "print the files the audit would read, one per line, and stop: the list to share out between machines")(
        "range", po::value(&range_text),
        "START:END: only the messages whose mbox separator starts at a byte offset in [START, END) (END may be "
        "left out), reading only that part; records keep their offset, their index is null; a single-message file "
        "starts at 0; in a PST, items are counted. Splits one large mbox across machines");
    add_analysis_options(opts, analysis);
    po::options_description hidden;
    hidden.add_options()("path", po::value(&paths), "PATH");
    po::variables_map vm;
    OptionSources sources;
    if (!parse_command_line(args, opts, hidden, "path", -1, vm, "audit", &sources)) return exit_code::usage;
    if (vm.count("help") != 0U) {
        std::cout << "Usage: hopscope audit [OPTIONS] PATH...\n"
                     "PATH: an mbox, a Maildir, a .pst or .ost, a folder searched recursively, or a\n"
                     "single message; - reads standard input as one mbox stream.\n\n"
                  << opts
                  << "\nExit codes: 0 all analysed (items that are no e-mail messages, such as\n"
                     "contacts, calendar items, drafts or a README, are skipped, not failed); 1 with\n"
                     "--expect-relay when a message is not traversed; 2 an input could not be\n"
                     "opened; 3 some messages failed to parse; 64 bad usage; 74 the output could\n"
                     "not be written. When several apply: 74, then 1, then 2, then 3.\n";
        return exit_code::ok;
    }
    RecordFormat rf = RecordFormat::None;
    if (format == "jsonl")
        rf = RecordFormat::Jsonl;
    else if (format == "csv")
        rf = RecordFormat::Csv;
    else if (format != "text" && format != "json" && format != "html") {
        std::cerr << "hopscope audit: --format must be text, json, html, jsonl or csv, not '" << format << "'"
                  << sources.note("format") << "\n";
        return exit_code::usage;
    }
    if (!by.empty() && (by != "sender" || format != "csv")) {
        std::cerr << "hopscope audit: --by sender writes CSV: give it with --format csv\n";
        return exit_code::usage;
    }
    AuditOptions options;
    options.format = rf;
    for (auto [text, until] : {std::pair{&since_text, false}, std::pair{&until_text, true}}) {
        if (text->empty()) continue;
        auto bound = period_bound(*text, until);
        if (!bound) {
            std::cerr << "hopscope audit: " << (until ? "--until " : "--since ") << bound.error().message << "\n";
            return exit_code::usage;
        }
        (until ? options.period.until : options.period.since) = *bound;
    }
    if (auto problem = period_problem(options.period); !problem.empty()) {
        std::cerr << "hopscope audit: " << problem << "\n";
        return exit_code::usage;
    }
    if (!by.empty()) rf = options.format = RecordFormat::None;  // the grouped table, written at the end
    options.senders = rf == RecordFormat::None;                 // only a summary prints the senders
    ByteRange range;
    const bool ranged = !range_text.empty();
    // The bytes of each mbox the audit read, on stderr (the distributed test
    // adds them up over range tasks).
    const bool read_stats = std::getenv("HOPSCOPE_READ_STATS") != nullptr;
    if (ranged) {
        auto parsed = parse_range(range_text);
        if (!parsed) {
            std::cerr << "hopscope audit: --range " << parsed.error().message << "\n";
            return exit_code::usage;
        }
        range = *parsed;
    }
    if (!files_from.empty()) {
        std::ifstream file;
        std::istream* in = &std::cin;
        if (files_from != "-") {
            file.open(files_from);
            if (!file) {
                std::cerr << "hopscope audit: " << files_from << ": cannot read the list of paths\n";
                return exit_code::bad_input;
            }
            in = &file;
        }
        for (std::string line; std::getline(*in, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (!line.empty()) paths.push_back(line);
        }
    }
    if (paths.empty()) {
        std::cerr << "hopscope audit: no PATH given (see hopscope audit --help)\n";
        return exit_code::usage;
    }
    if (!range_text.empty() && std::find(paths.begin(), paths.end(), "-") != paths.end()) {
        std::cerr << "hopscope audit: --range needs files: standard input has no offsets to seek\n";
        return exit_code::usage;
    }
    auto rules = build_rules(analysis, &sources);
    if (!rules) {
        std::cerr << "hopscope audit: " << rules.error().message << "\n";
        return exit_code::usage;
    }
    if (jobs == 0) jobs = std::max(1U, std::thread::hardware_concurrency());

    WalkResult walk = walk_inputs(paths);
    std::set<std::string> pst_folders;  // the folder paths PST records point to, kept for the run
    if (list_inputs) {
        for (const auto& e : walk.errors) std::cerr << "hopscope: " << e << "\n";
        for (const auto& f : walk.files) std::cout << f.path << "\n";
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "hopscope audit: cannot write the output: " << std::strerror(errno) << "\n";
            return exit_code::output;
        }
        return walk.errors.empty() ? exit_code::ok : exit_code::bad_input;
    }
    AuditSummary summary;
    summary.set_period(options.period);
    if (rf != RecordFormat::None) summary.keep_counts_only();  // records are written, no summary
    bool unopened = !walk.errors.empty();
    for (const auto& e : walk.errors) {
        std::cerr << "hopscope: " << e << "\n";
        summary.add_unopened(e, "");
    }
    std::uint64_t total = 0;
    for (const auto& f : walk.files) total += f.size;
    Progress progress(!quiet && ::isatty(STDERR_FILENO) != 0, total);

    if (rf == RecordFormat::Csv) {
        (void)std::fputs(csv_header().c_str(), stdout);
        (void)std::fflush(stdout);
    }
    Runner runner(*rules, options, jobs, summary);
    std::uint64_t done_bytes = 0;
    std::uint64_t count = 0;
    for (const auto& f : walk.files) {
        if (f.path == "-") {
            if (auto error = StreamReader(runner, progress, count).run()) {
                std::cerr << "hopscope audit: <stdin>: " << *error << "\n";
                summary.add_unopened("-", *error);
                unopened = true;
            }
            continue;
        }
        // An input that cannot be opened: said on stderr, counted, and the audit goes on.
        auto refuse = [&](const std::string& why) {
            std::cerr << "hopscope: " << why << "\n";
            summary.add_unopened(f.path, why);
            unopened = true;
        };
        auto mapped = MappedFile::open(f.path);
        if (!mapped) {
            refuse(mapped.error().message);
            continue;
        }
        std::string_view bytes = (*mapped)->bytes();
        if (is_pst(bytes)) {
            // A PST/OST: every message item of every folder, one record each.
            auto pst = PstFile::open(f.path);
            if (!pst) {
                refuse(pst.error().message);
                continue;
            }
            PstWalk how{jobs, range.start, range.end};
            pst->walk(how, [&](PstItem item) {
                const std::string& folder = *pst_folders.insert(item.folder).first;
                MessageSource source{f.path, std::nullopt, item.index, folder, item.id};
                if (item.error) {
                    runner.add({nullptr, nullptr, {}, source, *item.error});
                } else if (!item.headers || item.headers->find_first_not_of(" \t\r\n") == std::string::npos) {
                    // Never received over SMTP (a contact, a calendar item, a draft): no message to trace.
                    runner.add({nullptr, nullptr, {}, source, std::nullopt, item_class_words(item.message_class)});
                } else {
                    auto held = std::make_shared<const std::string>(std::move(*item.headers));
                    std::string_view view(*held);
                    Job job{nullptr, std::move(held), view, source, std::nullopt};
                    if (item.report_body) job.report_body = std::move(*item.report_body);
                    runner.add(std::move(job));
                }
                progress.update(++count, done_bytes);
                return true;
            });
            done_bytes += bytes.size();
            continue;
        }
        if (looks_like_mbox(bytes)) {
            // With --range, only the part between the separators at or after
            // START and END is read (input/mbox_splitter's mbox_part), and
            // records are known by their offset: the index a whole pass over
            // the file would count is unknown, so it is left out.
            MboxPart part = mbox_part(bytes, range.start, range.end);
            MboxSplitter split(bytes.substr(0, part.end), part.begin);
            std::uint64_t index = 0;
            (*mapped)->read_only_to(part.read_to);
            (*mapped)->prefetch(part.begin);
            while (auto span = split.next()) {
                (*mapped)->prefetch(span->offset + span->length);
                std::optional<std::uint64_t> at = ranged ? std::nullopt : std::optional<std::uint64_t>(index++);
                runner.add({*mapped,
                            nullptr,
                            bytes.substr(span->offset, span->length),
                            {f.path, span->offset, at},
                            std::nullopt,
                            std::nullopt,
                            false,
                            std::move(span->dash_lines)});
                progress.update(++count, done_bytes + span->offset + span->length);
            }
            if (read_stats)
                std::cerr << "hopscope audit: " << f.path << ": read bytes " << part.read_from << " to " << part.read_to
                          << " of " << bytes.size() << "\n";
        } else if (range.start == 0 && range.end > 0) {
            runner.add({*mapped, nullptr, bytes, {f.path, std::nullopt, 0}, std::nullopt, std::nullopt, true});
            progress.update(++count, done_bytes + bytes.size());
        }
        done_bytes += bytes.size();
    }
    runner.finish();
    progress.update(count, done_bytes, true);
    if (rf == RecordFormat::None && format == "json" && by.empty()) {
        ByteBuffer json;  // written as built: a summary of many senders is not copied
        summary.render_json(json);
        (void)std::fwrite(json.data(), 1, json.size(), stdout);
    } else if (rf == RecordFormat::None) {
        (void)std::fputs((!by.empty()        ? summary.render_senders_csv()
                          : format == "html" ? summary.render_html()
                                             : summary.render())
                             .c_str(),
                         stdout);
    }
    int write_error = runner.write_error();
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) write_error = write_error != 0 ? write_error : errno;
    if (write_error != 0) {
        std::cerr << "hopscope audit: cannot write the output: " << std::strerror(write_error) << "\n";
        return exit_code::output;
    }

    // The answer asked for wins over trouble reading (README "Exit codes").
    if (expect_relay && summary.not_traversed() > 0) return exit_code::not_confirmed;
    if (unopened) return exit_code::bad_input;
    if (summary.failed() > 0) return exit_code::parse_failures;
    return exit_code::ok;
}

}  // namespace hopscope
