#include "parse/address.hh"

#include "base/gmime_types.hh"
#include "base/utf8.hh"

namespace hopscope {
namespace {

constexpr std::size_t kMaxValue = 4096;  // a From header past this is not worth parsing whole

void lower_ascii(std::string& s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

std::optional<std::string> first_in(InternetAddressList* list, int depth) {
    if (list == nullptr || depth > 2) return std::nullopt;
    const int n = internet_address_list_length(list);
    for (int i = 0; i < n && i < 64; ++i) {
        InternetAddress* a = internet_address_list_get_address(list, i);  // not owned
        if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
            const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
            if (addr == nullptr) continue;
            std::string s = make_valid_utf8(std::string_view(addr));
            if (s.find('@') == std::string::npos || s.front() == '@' || s.back() == '@') continue;
            lower_ascii(s);
            return s;
        }
        if (INTERNET_ADDRESS_IS_GROUP(a))
            if (auto in = first_in(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), depth + 1)) return in;
    }
    return std::nullopt;
}

// A dot-separated run of atoms of letters, digits, '-', '_' and '+'.
bool plain_dot_atoms(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char previous = 0;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  c == '+' || c == '.';
        if (!ok || (c == '.' && previous == '.')) return false;
        previous = c;
    }
    return true;
}

std::optional<std::string> plain_addr(std::string_view s) {
    auto at = s.find('@');
    if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) return std::nullopt;
    std::string_view local = s.substr(0, at);
    std::string_view domain = s.substr(at + 1);
    // A domain of one label, or with a label that starts or ends with '-', is left to GMime.
    if (!plain_dot_atoms(local) || !plain_dot_atoms(domain) || domain.find('.') == std::string_view::npos ||
        domain.find_first_of("_+") != std::string_view::npos || domain.find("-.") != std::string_view::npos ||
        domain.find(".-") != std::string_view::npos || domain.front() == '-' || domain.back() == '-')
        return std::nullopt;
    std::string out(s);
    lower_ascii(out);
    // An IDN label (xn--) GMime gives decoded, in Unicode: left to it.
    if (out.find("xn--", at + 1) != std::string::npos) return std::nullopt;
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> simple_addr_spec(std::string_view value) {
    std::string_view v = trim(value);
    if (v.empty()) return std::nullopt;
    if (v.back() != '>') return plain_addr(v);
    auto open = v.find('<');
    if (open == std::string_view::npos || v.find('<', open + 1) != std::string_view::npos) return std::nullopt;
    std::string_view name = trim(v.substr(0, open));
    // The name: empty, one quoted string of plain characters, or words of letters, digits and spaces.
    if (!name.empty() && name.front() == '"') {
        if (name.size() < 2 || name.back() != '"') return std::nullopt;
        name = name.substr(1, name.size() - 2);
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' ||
                  c == '_';
        if (!ok) return std::nullopt;
    }
    return plain_addr(v.substr(open + 1, v.size() - open - 2));
}

std::optional<std::string> first_addr_spec_gmime(std::string_view value) {
    if (value.find('@') == std::string_view::npos) return std::nullopt;
    std::string text(value.substr(0, kMaxValue));
    for (char& c : text)
        if (c == '\0') c = ' ';
    gm::ensure_initialised();
    auto list = gm::Object<InternetAddressList>::adopt(internet_address_list_parse(nullptr, text.c_str()));
    return first_in(list.get(), 0);
}

std::optional<std::string> first_addr_spec(std::string_view value) {
    if (value.size() <= kMaxValue)
        if (auto simple = simple_addr_spec(value)) return simple;
    return first_addr_spec_gmime(value);
}

}  // namespace hopscope
