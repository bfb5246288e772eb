// What an Outlook item that carries no transport headers is, in words, by
// its message class (analyzer/data/item-classes.txt, with the sources):
// "calendar item (IPM.Appointment)", "contact (IPM.Contact)". Such an item
// was never received over SMTP: audit skips it, it does not fail.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hopscope {

// The words and the class in parentheses; "item without a message class"
// when there is none, "item of class X" when no line of the table names it.
std::string item_class_words(const std::optional<std::string>& message_class);

// The compiled-in table (item_classes.cc.in).
std::string_view item_classes_text();

}  // namespace hopscope
