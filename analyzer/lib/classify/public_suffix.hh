// The Public Suffix List through libpsl: the registrable domain of a host
// ("mx0a-00082601.pphosted.com" -> "pphosted.com", "mail.tu-berlin.de" ->
// "tu-berlin.de", "smtp.sgis.com.cn" -> "sgis.com.cn"). libpsl picks the newer
// of its built-in list and Debian's publicsuffix file; the context is loaded
// once and only read afterwards, so any thread may ask.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct psl_ctx_st;

namespace hopscope {

class PublicSuffixList {
  public:
    // The process-wide list, loaded on first use.
    static const PublicSuffixList& instance();

    // Lower-case registrable domain of a lower-case ASCII host name, or
    // nullopt when the host is itself a public suffix, has one label, or
    // ends in a label that is no known suffix (a local name). Each
    // suffix's answer is remembered per thread, so a new host under a known
    // domain costs one lookup of libpsl's; org_of_name remembers whole answers.
    [[nodiscard]] std::optional<std::string> registrable_domain(std::string_view host) const;

    // For a host named exactly by a suffix of the list's private section (a
    // hosting company's rigel.uberspace.de under "*.uberspace.de",
    // s3.amazonaws.com), which has no registrable domain: the domain
    // registered under the ICANN suffixes alone, the company's own
    // (uberspace.de). nullopt for any other name.
    [[nodiscard]] std::optional<std::string> operator_domain(std::string_view host) const;

  private:
    PublicSuffixList();
    struct Free {
        void operator()(psl_ctx_st* ctx) const;
    };
    std::unique_ptr<psl_ctx_st, Free> owned_;  // psl_latest(); the built-in list is not freed
    const psl_ctx_st* ctx_ = nullptr;
};

}  // namespace hopscope
