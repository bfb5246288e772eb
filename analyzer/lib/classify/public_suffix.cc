#include "classify/public_suffix.hh"

#include <libpsl.h>

#include <string_view>

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

std::optional<std::string> PublicSuffixList::registrable_domain(std::string_view host) const {
    if (ctx_ == nullptr) return std::nullopt;
    // A name whose last label is no suffix the list knows (pps.reinject,
    // mail.example.invalid-tld) is a local name, not a domain: libpsl's
    // implicit "*" rule would make one up.
    auto dot = host.rfind('.');
    std::string tld(host.substr(dot == std::string_view::npos ? 0 : dot + 1));
    // The documentation names of RFC 2606 (.example, .test) read as domains.
    if (tld != "example" && tld != "test" &&
        psl_is_public_suffix2(ctx_, tld.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) == 0)
        return std::nullopt;
    std::string key(host);  // libpsl wants a C string
    if (const char* d = psl_registrable_domain(ctx_, key.c_str()); d != nullptr) return std::string(d);
    return std::nullopt;
}

}  // namespace hopscope
