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
    std::string key(host);  // libpsl wants a C string
    if (ctx_ != nullptr)
        if (const char* d = psl_registrable_domain(ctx_, key.c_str()); d != nullptr) return std::string(d);
    return std::nullopt;
}

}  // namespace hopscope
