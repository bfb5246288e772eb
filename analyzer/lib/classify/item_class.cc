#include "classify/item_class.hh"

#include "base/utf8.hh"
#include "classify/data_table.hh"
#include "input/header_block.hh"

namespace hopscope {

std::string item_class_words(const std::optional<std::string>& message_class) {
    if (!message_class || message_class->empty()) return "item without a message class";
    static const DataTable table(item_classes_text());
    const std::string_view cls = *message_class;
    std::string_view best_words;
    std::size_t best = 0;
    for (const auto& row : table.rows()) {
        if (row.kind != "class" || row.cells.size() < 2) continue;
        std::string_view prefix = row.cells[0];
        if (prefix.size() <= best || !istarts_with(cls, prefix)) continue;
        if (cls.size() > prefix.size() && cls[prefix.size()] != '.') continue;
        best = prefix.size();
        best_words = row.cells[1];
    }
    // The class is the file's text: bounded, so a hostile one cannot fill a summary line.
    std::string shown = valid_utf8_prefix(cls, 120);
    if (best == 0) return "item of class " + shown;
    return std::string(best_words) + " (" + shown + ")";
}

}  // namespace hopscope
