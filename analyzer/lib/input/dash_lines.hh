// Where the lines that start with "--" are in a message: the lines a MIME
// reader takes for part boundaries. The mbox splitter notes them as its scan
// for the next separator passes over a body, so the test for forwarded
// messages (input/attached_messages) need not read the body again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hopscope {

struct DashLines {
    // More are not noted: a body of that many such lines is read again instead.
    static constexpr std::size_t kMax = 4096;
    // Every line start at or after `from` (an offset in the message) whose
    // first two bytes are "--" is in `at`; npos: nothing was noted.
    std::size_t from = std::string_view::npos;
    std::vector<std::uint32_t> at;  // offsets in the message, ascending
};

}  // namespace hopscope
