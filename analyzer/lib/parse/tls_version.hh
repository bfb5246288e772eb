// TLS protocol versions as the stamps write them ("TLS1_2", "TLSv1.3",
// "TLS1.2", "TLSv1", "version=TLS1_0"), in one form: "1.0", "1.1", "1.2",
// "1.3", or "unknown" for TLS whose version the stamp does not say or says
// in a form that names no single version ("TLSv1/SSLv3", a cipher suite's
// protocol, SSLv3).
#pragma once

#include <string_view>

namespace hopscope {

std::string_view normalise_tls_version(std::string_view written);

// Whether `version` (normalised) is at least `minimum` ("1.2"); "unknown"
// never is.
bool tls_at_least(std::string_view version, std::string_view minimum);

}  // namespace hopscope
