// A compiled-in data file (analyzer/data/*.txt) of lines whose cells are
// separated by '|' and whose first cell names the kind of line; `source`
// lines (KEY | TITLE | URL) say where the other lines come from, and
// cite() turns a line's source keys into the text findings carry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

struct DataRow {
    std::string_view kind;
    std::vector<std::string_view> cells;  // after the kind, trimmed; views of the table's text
};

class DataTable {
  public:
    // `text` must outlive the table (the compiled-in texts are static).
    explicit DataTable(std::string_view text);
    [[nodiscard]] const std::vector<DataRow>& rows() const { return rows_; }
    // "TITLE <URL>; TITLE" for the space-separated `keys`; an unknown key is
    // given as it is.
    [[nodiscard]] std::string cite(std::string_view keys) const;

  private:
    std::vector<DataRow> rows_;
};

// The compiled-in texts (connector_data.cc.in).
std::string_view connector_rules_text();  // analyzer/data/connector-rules.txt
std::string_view far_end_hints_text();    // analyzer/data/far-end-hints.txt

}  // namespace hopscope
