#include "classify/public_suffix.hh"

#include <libpsl.h>

#include <array>
#include <string>
#include <string_view>

#include "base/string_memo.hh"

namespace hopscope {

void PublicSuffixList::Free::operator()(psl_ctx_st* ctx) const {
    psl_free(ctx);
}

PublicSuffixList::PublicSuffixList() {
    // NULL: the distribution's file (publicsuffix's DAFSA) when it is newer
    // than the copy compiled into libpsl, else the built-in one.
    owned_.reset(psl_latest(nullptr));
    ctx_ = owned_ ? owned_.get() : psl_builtin();
}

const PublicSuffixList& PublicSuffixList::instance() {
    static const PublicSuffixList list;
    return list;
}

namespace {

// libpsl's answer for one name, remembered per thread by the name: a pure
// function of its text, so a remembered answer is the one libpsl gives.
template <typename Ask>
bool remembered(StringMemo<bool, 8192>& memo, std::string_view name, Ask&& ask) {
    if (const bool* hit = memo.find(name)) return *hit;
    // libpsl wants a C string: a copy on the stack for a name of DNS length.
    std::array<char, 256> buf;
    if (name.size() < buf.size()) {
        name.copy(buf.data(), name.size());
        buf[name.size()] = '\0';
        return memo.put(name, ask(static_cast<const char*>(buf.data())));
    }
    std::string key(name);
    return memo.put(name, ask(key.c_str()));
}

}  // namespace

std::optional<std::string> PublicSuffixList::registrable_domain(std::string_view host) const {
    if (ctx_ == nullptr) return std::nullopt;
    // libpsl reads a C string: the name ends at a NUL, as it would there.
    host = host.substr(0, host.find('\0'));
    // A name whose last label is no suffix the list knows (pps.reinject,
    // mail.example.invalid-tld) is a local name, not a domain: libpsl's
    // implicit "*" rule would make one up.
    auto dot = host.rfind('.');
    std::string_view tld = host.substr(dot == std::string_view::npos ? 0 : dot + 1);
    thread_local StringMemo<bool, 8192> known_tld;
    auto listed = [&](const char* name) {
        return psl_is_public_suffix2(ctx_, name, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
    };
    // The documentation names of RFC 2606 (.example, .test) read as domains;
    // so does a last label the list has only rules under (it lists co.za,
    // org.za and the like, but no "za").
    if (tld != "example" && tld != "test" && !remembered(known_tld, tld, listed)) {
        if (dot == std::string_view::npos || dot == 0) return std::nullopt;
        auto second = host.rfind('.', dot - 1);
        std::string_view last_two = host.substr(second == std::string_view::npos ? 0 : second + 1);
        if (last_two.size() == tld.size() + 1 || !remembered(known_tld, last_two, listed)) return std::nullopt;
    }
    // psl_registrable_domain's own walk (libpsl 0.21: from the left, the
    // name before the first suffix that is public), with each suffix's answer
    // remembered: a mailbox names a few thousand hosts but far fewer parent
    // domains, so a new host costs one lookup instead of one per label.
    if (host.empty() || host.front() == '.') return std::nullopt;
    thread_local StringMemo<bool, 8192> public_suffix;
    std::optional<std::string_view> regdom;
    std::string_view domain = host;
    while (
        !remembered(public_suffix, domain, [&](const char* name) { return psl_is_public_suffix(ctx_, name) != 0; })) {
        auto next = domain.find('.');
        if (next == std::string_view::npos) break;
        regdom = domain;
        domain = domain.substr(next + 1);
    }
    if (!regdom) return std::nullopt;
    return std::string(*regdom);
}

std::optional<std::string> PublicSuffixList::operator_domain(std::string_view host) const {
    if (ctx_ == nullptr || host.empty() || host.find('\0') != std::string_view::npos) return std::nullopt;
    thread_local StringMemo<bool, 8192> icann_suffix;
    auto icann = [&](const char* name) {
        return psl_is_public_suffix2(ctx_, name, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
    };
    auto listed = [&](const char* name) {
        return psl_is_public_suffix2(ctx_, name, PSL_TYPE_PRIVATE | PSL_TYPE_NO_STAR_RULE) != 0;
    };
    thread_local StringMemo<bool, 8192> private_suffix;
    // Only a name the list's private section makes a suffix.
    if (!remembered(private_suffix, host, listed) || remembered(icann_suffix, host, icann)) return std::nullopt;
    std::optional<std::string_view> regdom;
    for (std::string_view domain = host; !remembered(icann_suffix, domain, icann);) {
        auto next = domain.find('.');
        if (next == std::string_view::npos) return std::nullopt;
        regdom = domain;
        domain = domain.substr(next + 1);
    }
    return std::string(*regdom);
}

}  // namespace hopscope
