#include "base/charset_pin.hh"

#include <gmime/gmime.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/gmime_types.hh"

namespace hopscope {
namespace {

constexpr std::size_t kMaxCharsets = 256;    // hostile headers name any number of them
constexpr std::size_t kMaxCharsetName = 64;  // the longest IANA name is 45

// One open descriptor, closed at exit.
class Converter {
  public:
    explicit Converter(iconv_t cd) : cd_(cd) {}
    ~Converter() {
        if (cd_ != invalid()) g_mime_iconv_close(cd_);
    }
    Converter(Converter&& o) noexcept : cd_(o.cd_) { o.cd_ = invalid(); }
    Converter& operator=(Converter&&) = delete;
    Converter(const Converter&) = delete;
    Converter& operator=(const Converter&) = delete;
    // iconv's own error value.
    static iconv_t invalid() {
        return reinterpret_cast<iconv_t>(-1);  // NOLINT(performance-no-int-to-ptr)
    }

  private:
    iconv_t cd_;
};

struct Pinned {
    std::mutex mutex;
    std::unordered_set<std::string> tried;
    std::vector<Converter> open;
};

Pinned& pinned() {
    static Pinned p;
    return p;
}

}  // namespace

void keep_charset_loaded(std::string_view charset) {
    if (charset.empty() || charset.size() > kMaxCharsetName) return;
    auto is = [&](std::string_view known) {
        return charset.size() == known.size() &&
               std::equal(charset.begin(), charset.end(), known.begin(), [](char a, char b) {
                   return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
               });
    };
    if (is("utf-8") || is("utf8") || is("us-ascii") || is("ascii")) return;  // no module
    std::string name(charset);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    // Each thread remembers the charsets it has had tried: the lock only for a new one.
    thread_local std::vector<std::string> seen;
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return;
    if (seen.size() < kMaxCharsets) seen.push_back(name);
    Pinned& p = pinned();
    std::lock_guard lock(p.mutex);
    if (p.tried.size() >= kMaxCharsets || !p.tried.insert(name).second) return;
    gm::ensure_initialised();
    // The direction and name mapping GMime uses to decode, so the same module.
    iconv_t cd = g_mime_iconv_open("UTF-8", name.c_str());
    if (cd != Converter::invalid()) p.open.emplace_back(cd);
}

void keep_encoded_word_charsets_loaded(std::string_view value) {
    for (std::size_t at = value.find("=?"); at != std::string_view::npos; at = value.find("=?", at + 2)) {
        std::size_t start = at + 2;
        std::size_t end = value.find('?', start);
        if (end == std::string_view::npos) return;
        std::string_view charset = value.substr(start, end - start);
        charset = charset.substr(0, charset.find('*'));  // RFC 2231 language suffix
        keep_charset_loaded(charset);
    }
}

}  // namespace hopscope
