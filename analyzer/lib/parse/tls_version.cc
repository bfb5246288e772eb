#include "parse/tls_version.hh"

#include "input/header_block.hh"

namespace hopscope {

std::string_view normalise_tls_version(std::string_view w) {
    while (!w.empty() && (w.front() == ' ' || w.front() == '(')) w.remove_prefix(1);
    while (!w.empty() && (w.back() == ' ' || w.back() == ')' || w.back() == ',')) w.remove_suffix(1);
    if (!istarts_with(w, "TLS")) return "unknown";  // SSLv3, SSLv2, nothing
    w.remove_prefix(3);
    // "TLSv1.2", "TLS 1.2", and older GnuTLS's "TLS-1.0" (Exim: "Cipher TLS-1.0:RSA_AES_256_CBC_SHA1:32").
    if (!w.empty() && (w.front() == 'v' || w.front() == 'V' || w.front() == ' ' || w.front() == '-'))
        w.remove_prefix(1);
    // "1", "1.2", "1_2", "1.0": a major 1 and a minor 0..3, nothing after
    // but an end ("TLSv1/SSLv3" names a cipher suite's protocol family).
    if (w.empty() || w.front() != '1') return "unknown";
    w.remove_prefix(1);
    if (w.empty()) return "1.0";  // Postfix and OpenSSL write TLS 1.0 as "TLSv1"
    // "1.2", "1_2", and Exclaimer's "TLS12" (tlsversion=TLS12): one minor digit.
    char minor = 0;
    if (w.size() == 1)
        minor = w[0];
    else if ((w.front() == '.' || w.front() == '_') && w.size() == 2)
        minor = w[1];
    switch (minor) {
        case '0':
            return "1.0";
        case '1':
            return "1.1";
        case '2':
            return "1.2";
        case '3':
            return "1.3";
        default:
            return "unknown";
    }
}

bool tls_at_least(std::string_view version, std::string_view minimum) {
    if (version.size() != 3 || minimum.size() != 3 || version[0] != '1') return false;
    return version.compare(minimum) >= 0;
}

}  // namespace hopscope
