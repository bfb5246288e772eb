#include "classify/data_table.hh"

namespace hopscope {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

DataTable::DataTable(std::string_view text) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (trim(line).empty() || trim(line).front() == '#') continue;
        DataRow row;
        bool first = true;
        for (;;) {
            auto bar = line.find('|');
            std::string_view cell = trim(line.substr(0, bar));
            if (first)
                row.kind = cell;
            else
                row.cells.push_back(cell);
            first = false;
            if (bar == std::string_view::npos) break;
            line = line.substr(bar + 1);
        }
        rows_.push_back(std::move(row));
    }
}

std::string DataTable::cite(std::string_view keys) const {
    std::string out;
    while (!keys.empty()) {
        auto sp = keys.find(' ');
        std::string_view key = keys.substr(0, sp);
        keys = sp == std::string_view::npos ? std::string_view() : keys.substr(sp + 1);
        if (key.empty()) continue;
        std::string one(key);
        for (const auto& r : rows_)
            if (r.kind == "source" && r.cells.size() >= 3 && r.cells[0] == key) {
                one = std::string(r.cells[1]);
                if (r.cells[2] != "-") one += " <" + std::string(r.cells[2]) + ">";
            }
        out += (out.empty() ? "" : "; ") + one;
    }
    return out;
}

}  // namespace hopscope
