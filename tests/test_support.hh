// Helpers shared by the Boost.Test suites.
#pragma once

#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>

// Lets BOOST_TEST print optionals in failure messages.
namespace std {  // NOLINT(cert-dcl58-cpp): Boost.Test finds the printer by ADL
template <typename T>
ostream& boost_test_print_type(ostream& os, const optional<T>& v) {
    if (v) return os << '\'' << *v << '\'';
    return os << "nullopt";
}
}  // namespace std

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
