#include "input/outlook_msg.hh"

#include <gsf/gsf.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "base/charset_pin.hh"
#include "base/gmime_types.hh"
#include "base/limits.hh"
#include "base/utf8.hh"
#include "input/header_block.hh"

namespace hopscope {
namespace {

constexpr int kMaxDepth = 4;                     // a message in a message in ...
constexpr std::size_t kMaxAttachments = 64;      // embedded messages kept per message
constexpr std::size_t kMaxProperties = 1 << 20;  // a property stream read (65,536 entries)
constexpr std::size_t kMaxText = 1 << 20;        // a subject or name read
constexpr std::int64_t kFiletimeToUnix = 11644473600LL;

void ensure_gsf() {
    static std::once_flag once;
    std::call_once(once, [] {
        gsf_init();
        // libgsf says what it thinks of a damaged file on stderr; the error we return says it once.
        g_log_set_handler(
            "libgsf:msole", static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL),
            [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    });
}

using Input = gm::Object<GsfInput>;
using Infile = gm::Object<GsfInfile>;

// A child stream's bytes, at most `cap` of them; nullopt when there is none.
std::optional<std::string> read_stream(GsfInfile* dir, const char* name, std::size_t cap) {
    Input child = Input::adopt(gsf_infile_child_by_name(dir, name));
    if (!child) return std::nullopt;
    gsf_off_t size = gsf_input_size(child.get());
    if (size < 0) return std::nullopt;
    std::size_t n = std::min(static_cast<std::size_t>(size), cap);
    std::string out(n, '\0');
    if (n > 0 && gsf_input_read(child.get(), n, reinterpret_cast<guint8*>(out.data())) == nullptr) return std::nullopt;
    return out;
}

std::optional<std::string> convert(std::string_view bytes, const char* from) {
    keep_charset_loaded(from);
    gsize written = 0;
    GError* raw = nullptr;
    gm::CString text(g_convert_with_fallback(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8", from, "?",
                                             nullptr, &written, &raw));
    gm::Error error(raw);
    if (!text || error) return std::nullopt;
    return std::string(text.get(), written);
}

std::string strip_bom(std::string s) {
    if (s.starts_with("\xEF\xBB\xBF")) s.erase(0, 3);
    while (!s.empty() && s.back() == '\0') s.pop_back();  // a terminating NUL some writers keep
    return s;
}

// Fixed-size properties from __properties_version1.0: tag -> 8 value bytes.
struct Properties {
    std::string stream;
    std::size_t header = 32;
    [[nodiscard]] std::optional<std::uint64_t> value(std::uint32_t tag) const {
        for (std::size_t at = header; at + 16 <= stream.size(); at += 16) {
            std::uint32_t t = 0;
            std::memcpy(&t, stream.data() + at, 4);
            if (t == tag) {
                std::uint64_t v = 0;
                std::memcpy(&v, stream.data() + at + 8, 8);
                return v;
            }
        }
        return std::nullopt;
    }
};

// A string property: the Unicode (001F) stream, else the 8-bit (001E) one in `charset`.
std::optional<std::string> string_property(GsfInfile* dir, unsigned id, const std::string& charset, std::size_t cap) {
    std::array<char, 32> name{};
    (void)std::snprintf(name.data(), name.size(), "__substg1.0_%04X001F", id);
    if (auto utf16 = read_stream(dir, name.data(), cap * 2)) {
        if (utf16->size() % 2 != 0) utf16->pop_back();
        if (auto text = convert(*utf16, "UTF-16LE")) return strip_bom(std::move(*text));
    }
    (void)std::snprintf(name.data(), name.size(), "__substg1.0_%04X001E", id);
    if (auto bytes = read_stream(dir, name.data(), cap)) {
        if (auto text = convert(*bytes, charset.c_str())) return strip_bom(std::move(*text));
        return strip_bom(make_valid_utf8(std::move(*bytes)));
    }
    return std::nullopt;
}

OutlookMessage read_message(GsfInfile* dir, bool top, int depth) {
    OutlookMessage m;
    Properties props;
    props.header = top ? 32 : 24;  // MS-OXMSG 2.4.1: top-level message, embedded message
    if (auto s = read_stream(dir, "__properties_version1.0", kMaxProperties)) props.stream = std::move(*s);
    // PR_INTERNET_CPID (0x3FDE), else PR_MESSAGE_CODEPAGE (0x3FFD), both PT_LONG (0003).
    std::uint32_t codepage = 1252;
    for (std::uint32_t tag : {0x3FDE0003U, 0x3FFD0003U})
        if (auto v = props.value(tag)) {
            codepage = static_cast<std::uint32_t>(*v);
            break;
        }
    const std::string charset = codepage_charset(codepage);
    m.transport_headers = string_property(dir, 0x007D, charset, limits::max_header_block_bytes);
    m.message_class = string_property(dir, 0x001A, charset, 256);
    m.subject = string_property(dir, 0x0037, charset, kMaxText);
    if (outlook_report(m.message_class, m.transport_headers))
        m.report_body = string_property(dir, 0x1000, charset, kMaxText);
    auto name = string_property(dir, 0x0C1A, charset, 1024);
    auto address = string_property(dir, 0x0C1F, charset, 1024);
    if (name || address) m.sender = name && address ? *name + " <" + *address + ">" : address ? *address : *name;
    // PR_CLIENT_SUBMIT_TIME (0x0039), PT_SYSTIME (0040): 100 ns since 1601.
    if (auto t = props.value(0x00390040U); t && *t != 0) {
        std::int64_t seconds = static_cast<std::int64_t>(*t / 10000000ULL) - kFiletimeToUnix;
        if (seconds > 0 && seconds < 32503680000LL) m.sent = seconds;  // before the year 3000
    }
    if (depth >= kMaxDepth) return m;
    int children = gsf_infile_num_children(dir);
    for (int i = 0; i < children && m.attachments.size() < kMaxAttachments; ++i) {
        const char* child_name = gsf_infile_name_by_index(dir, i);
        if (child_name == nullptr || std::strncmp(child_name, "__attach_version1.0_#", 21) != 0) continue;
        Input attach = Input::adopt(gsf_infile_child_by_index(dir, i));
        if (!attach || !GSF_IS_INFILE(attach.get())) continue;
        // An embedded message is the attachment's __substg1.0_3701000D storage.
        Input embedded = Input::adopt(gsf_infile_child_by_name(GSF_INFILE(attach.get()), "__substg1.0_3701000D"));
        if (!embedded || !GSF_IS_INFILE(embedded.get())) continue;
        m.attachments.push_back(read_message(GSF_INFILE(embedded.get()), false, depth + 1));
    }
    return m;
}

}  // namespace

bool is_compound_file(std::string_view bytes) {
    return bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
}

std::string codepage_charset(std::uint32_t codepage) {
    switch (codepage) {
        case 65001:
            return "UTF-8";
        case 20127:
            return "US-ASCII";
        case 1200:
            return "UTF-16LE";
        case 50220:
        case 50221:
        case 50222:
            return "ISO-2022-JP";
        case 51932:
            return "EUC-JP";
        case 51949:
            return "EUC-KR";
        case 54936:
            return "GB18030";
        case 52936:
            return "HZ-GB-2312";
        case 20866:
            return "KOI8-R";
        case 21866:
            return "KOI8-U";
        default:
            break;
    }
    if (codepage >= 28591 && codepage <= 28606) return "ISO-8859-" + std::to_string(codepage - 28590);
    if (codepage == 0 || codepage > 65535) return "CP1252";
    return "CP" + std::to_string(codepage);  // 1250-1258, 874, 932, 936, 949, 950, 437, 850, ...
}

bool outlook_report(const std::optional<std::string>& message_class, const std::optional<std::string>& headers) {
    return (message_class && message_class->size() > 7 && istarts_with(*message_class, "REPORT.")) ||
           (headers && icontains(*headers, "multipart/report"));
}

Result<OutlookMessage> read_outlook_msg(std::string_view bytes) {
    if (!is_compound_file(bytes)) return make_error("not an Outlook file (no Compound File signature)");
    ensure_gsf();
    Input input = Input::adopt(gsf_input_memory_new(reinterpret_cast<const guint8*>(bytes.data()),
                                                    static_cast<gsf_off_t>(bytes.size()), FALSE));
    GError* raw = nullptr;
    Infile ole = Infile::adopt(gsf_infile_msole_new(input.get(), &raw));
    gm::Error error(raw);
    if (!ole)
        return make_error(std::string("damaged Outlook file: ") +
                          (error ? error->message : "unreadable Compound File"));
    return read_message(ole.get(), true, 0);
}

}  // namespace hopscope
