// What `hopscope --version` prints: hopscope's version and git revision,
// and the versions of the libraries it runs with (GMime, GLib, ICU and
// libpsl as loaded at run time; Boost as built with).
#pragma once

#include <string>

namespace hopscope {

std::string version_text();

}  // namespace hopscope
