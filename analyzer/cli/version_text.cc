#include "cli/version_text.hh"

#include <gmime/gmime.h>
#include <libpsl.h>
#include <unicode/uversion.h>

#include <array>
#include <boost/version.hpp>

#include "cli/build_info.hh"

namespace hopscope {

std::string version_text() {
    std::array<char, U_MAX_VERSION_STRING_LENGTH> icu{};
    UVersionInfo info{};
    u_getVersion(info);  // the ICU actually loaded, not the headers'
    u_versionToString(info, icu.data());
    auto dotted = [](unsigned a, unsigned b, unsigned c) {
        return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
    };
    std::string out = "hopscope " + std::string(build_info::version) + " (" + std::string(build_info::revision) + ")\n";
    out += "GMime " + dotted(gmime_major_version, gmime_minor_version, gmime_micro_version) + "\n";
    out += "GLib " + dotted(glib_major_version, glib_minor_version, glib_micro_version) + "\n";
    out += "ICU " + std::string(icu.data()) + "\n";
    out += "libpsl " + std::string(psl_get_version()) + "\n";
    out += "Boost " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
           std::to_string(BOOST_VERSION % 100) + " (built with)\n";
    return out;
}

}  // namespace hopscope
