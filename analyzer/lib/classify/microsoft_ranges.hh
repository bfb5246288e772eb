// The dated Microsoft 365 address ranges (analyzer/data/microsoft-365-ranges.txt),
// compiled in so hopscope needs no data files and no network at run time.
#pragma once

#include <string_view>

namespace hopscope {

std::string_view microsoft_ranges_text();

}  // namespace hopscope
