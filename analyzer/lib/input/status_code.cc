#include "input/status_code.hh"

namespace hopscope {
namespace {

bool digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::string> find_status_code(std::string_view text) {
    auto digits = [&](std::size_t at) {  // how many digits start at `at`
        std::size_t n = 0;
        while (at + n < text.size() && digit(text[at + n])) ++n;
        return n;
    };
    for (std::size_t i = 0; i + 5 <= text.size(); ++i) {
        char k = text[i];
        if ((k != '2' && k != '4' && k != '5') || text[i + 1] != '.') continue;
        if (i > 0 && (digit(text[i - 1]) || text[i - 1] == '.')) continue;  // inside a longer number or version
        std::size_t subject = digits(i + 2);
        if (subject == 0 || subject > 3 || i + 2 + subject >= text.size() || text[i + 2 + subject] != '.') continue;
        std::size_t at = i + 3 + subject;
        std::size_t detail = digits(at);
        if (detail == 0 || detail > 3) continue;
        std::size_t end = at + detail;
        // "5.7.64.1" or a longer run is a version, not a code; "5.7.64." ends a sentence.
        if (end < text.size() && text[end] == '.' && end + 1 < text.size() && digit(text[end + 1])) continue;
        return std::string(text.substr(i, end - i));
    }
    return std::nullopt;
}

}  // namespace hopscope
