// RFC 4180 CSV cells. Text cells that a spreadsheet would run as a formula
// (starting with = + - @, tab or CR) get a leading apostrophe.
#pragma once

#include <string>
#include <string_view>

namespace hopscope {

void append_csv_text(std::string& out, std::string_view cell);

}  // namespace hopscope
