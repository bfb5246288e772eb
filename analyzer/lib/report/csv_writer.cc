#include "report/csv_writer.hh"

#include "base/utf8.hh"

namespace hopscope {

void append_csv_text(std::string& out, std::string_view cell) {
    std::string v = make_valid_utf8(cell);
    bool formula =
        !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r');
    if (formula) v.insert(v.begin(), '\'');
    bool quote = v.find_first_of(",\"\r\n") != std::string::npos;
    if (!quote) {
        out += v;
        return;
    }
    out.push_back('"');
    for (char c : v) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

}  // namespace hopscope
