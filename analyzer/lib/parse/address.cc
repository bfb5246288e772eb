#include "parse/address.hh"

#include "base/gmime_types.hh"
#include "base/utf8.hh"

namespace hopscope {
namespace {

constexpr std::size_t kMaxValue = 4096;  // a From header past this is not worth parsing whole

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
            for (char& c : s)
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            return s;
        }
        if (INTERNET_ADDRESS_IS_GROUP(a))
            if (auto in = first_in(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), depth + 1)) return in;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> first_addr_spec(std::string_view value) {
    if (value.find('@') == std::string_view::npos) return std::nullopt;
    std::string text(value.substr(0, kMaxValue));
    for (char& c : text)
        if (c == '\0') c = ' ';
    gm::ensure_initialised();
    auto list = gm::Object<InternetAddressList>::adopt(internet_address_list_parse(nullptr, text.c_str()));
    return first_in(list.get(), 0);
}

}  // namespace hopscope
