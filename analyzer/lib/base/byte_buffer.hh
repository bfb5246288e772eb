// Bytes with room that is not initialised. A writer checks for room, writes
// straight into it and then says how much it wrote. std::string zero-fills
// every byte it grows by, so audit's records (about 11 KB each) were written
// once into a scratch string and then copied into the output buffer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace hopscope {

class ByteBuffer {
  public:
    [[nodiscard]] char* data() { return data_.get(); }
    [[nodiscard]] const char* data() const { return data_.get(); }
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] std::string_view view() const { return {data_.get(), size_}; }

    // Room for at least n bytes in all; the content is kept.
    void reserve(std::size_t n) {
        if (n <= capacity_) return;
        auto bigger = std::make_unique_for_overwrite<char[]>(n);
        if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
        data_ = std::move(bigger);
        capacity_ = n;
    }
    // The first n bytes (n <= capacity) are the content: the caller wrote them.
    void set_size(std::size_t n) { size_ = n; }
    void append(std::string_view s) {
        if (capacity_ - size_ < s.size()) reserve(std::max(capacity_ * 2, size_ + s.size()));
        if (!s.empty()) std::memcpy(data_.get() + size_, s.data(), s.size());
        size_ += s.size();
    }
    void push_back(char c) { append(std::string_view(&c, 1)); }

  private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace hopscope
