// Splits an mbox that arrives in blocks (standard input) with bounded
// memory: only the message being read is carried from one block to the
// next. Pure: the caller holds the bytes; each step says which messages are
// complete and how much of what it holds it may drop.
//
// Only whole lines are split, so a body line cut at a block's end
// ("From Russia" of "From Russia with love") is never taken for a separator.
// A message longer than `max_message` is handed on as its first max_message
// bytes (its header is in there), whether or not it came in one block, and
// the rest is skipped up to the next separator. Content-Length is trusted only where the message it counts is
// all in hand (MboxSplitter's rule within what is held).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "input/mbox_splitter.hh"

namespace hopscope {

class MboxStream {
  public:
    explicit MboxStream(std::size_t max_message) : max_message_(max_message) {}

    struct Step {
        std::vector<MessageSpan> messages;  // complete messages, offsets into `held`
        std::size_t keep_from = 0;          // `held` before this may be dropped
    };

    // `held`: the bytes kept from the last step followed by the new block;
    // `eof`: nothing more comes, so what is held ends the last message.
    Step next(std::string_view held, bool eof);

  private:
    std::size_t max_message_;
    bool skipping_ = false;  // inside an over-long message, looking for its end
};

}  // namespace hopscope
