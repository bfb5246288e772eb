#include "input/mbox_stream.hh"

#include <algorithm>
#include <optional>

namespace hopscope {

MboxStream::Step MboxStream::next(std::string_view held, bool eof) {
    Step step;
    std::size_t last_break = held.rfind('\n');
    std::size_t complete = eof ? held.size() : (last_break == std::string_view::npos ? 0 : last_break + 1);
    std::string_view lines = held.substr(0, complete);
    std::size_t from = 0;
    if (skipping_) {
        std::size_t at = is_from_line(lines.substr(0, lines.find('\n'))) ? 0 : find_separator(lines, 0);
        if (at == std::string_view::npos) {
            step.keep_from = complete;  // all of it belongs to the over-long message
            return step;
        }
        skipping_ = false;
        from = at;
    }
    MboxSplitter split(lines.substr(from));
    std::optional<MessageSpan> last;
    while (auto span = split.next()) {
        if (last) step.messages.push_back({from + last->offset, std::min(last->length, max_message_)});
        last = span;
    }
    if (!last) {
        step.keep_from = from;
        return step;
    }
    std::size_t last_at = from + last->offset;
    if (eof) {
        step.messages.push_back({last_at, std::min(last->length, max_message_)});
        step.keep_from = held.size();
    } else if (held.size() - last_at > max_message_) {
        step.messages.push_back({last_at, max_message_});
        skipping_ = true;
        step.keep_from = complete;  // its lines so far are known not to hold a separator
    } else {
        step.keep_from = last_at;  // the message still being read
    }
    return step;
}

}  // namespace hopscope
