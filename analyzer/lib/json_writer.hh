// A small streaming JSON emitter. Escaping happens here and only here; every
// string is made valid UTF-8 on the way out.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

class JsonWriter {
  public:
    explicit JsonWriter(bool pretty) : JsonWriter(pretty, std::string()) {}
    // Appends to what `buffer` holds, using its capacity (audit hands in room for a whole record).
    JsonWriter(bool pretty, std::string buffer);

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    // A field name written in the code: plain ASCII by construction, copied
    // with its quotes and colon without a look at each byte.
    template <std::size_t N>
    JsonWriter& key(const char (&k)[N]) {
        if (pretty_) return key(std::string_view(k, N - 1));
        before_value();
        char* w = room(N + 2);
        *w++ = '"';
        std::memcpy(w, k, N - 1);
        w += N - 1;
        *w++ = '"';
        *w++ = ':';
        len_ = static_cast<std::size_t>(w - out_.data());
        after_key_ = true;
        return *this;
    }
    // Inline: a record is mostly string values, and they come from another file.
    JsonWriter& value(std::string_view s) {
        before_value();
        len_ = static_cast<std::size_t>(escape(room(max_escaped(s.size())), s) - out_.data());
        return *this;
    }
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(int n) { return value(std::int64_t{n}); }
    JsonWriter& value(bool b);
    JsonWriter& null() {
        before_value();
        put(std::string_view("null"));
        return *this;
    }
    template <typename T>
    JsonWriter& value(const std::optional<T>& v) {
        if (v) return value(*v);
        return null();
    }

    // The text written; the writer is empty afterwards.
    std::string take();
    // The text written so far, without giving up the buffer.
    [[nodiscard]] std::string_view written() const { return {out_.data(), len_}; }
    // Starts again, keeping the buffer (audit keeps one writer per thread).
    void clear() {
        len_ = 0;
        stack_.clear();
        after_key_ = false;
    }

    // Worst case: every byte becomes "\u00XX" (a lone bad byte becomes three,
    // a three-byte bidi character six), plus the quotes.
    static constexpr std::size_t max_escaped(std::size_t n) { return 6 * n + 2; }
    // Writes s as a JSON string literal at w, which has room for max_escaped(s.size()).
    static char* escape(char* w, std::string_view s);

  private:
    // out_ is kept at its full size; len_ bytes of it are written. Writes
    // check for room once and then store directly.
    char* room(std::size_t n) {
        if (out_.size() - len_ < n) grow(n);
        return out_.data() + len_;
    }
    void grow(std::size_t n);
    void put(std::string_view s) {
        std::memcpy(room(s.size()), s.data(), s.size());
        len_ += s.size();
    }
    void put(char c) {
        *room(1) = c;
        ++len_;
    }
    void put_string(std::string_view s);
    void before_value() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (stack_.empty()) return;
        Level& top = stack_.back();
        if (!top.empty) put(',');
        top.empty = false;
        if (pretty_) newline();
    }
    void newline();
    bool pretty_;
    std::string out_;
    std::size_t len_ = 0;
    struct Level {
        bool object;
        bool empty;
    };
    std::vector<Level> stack_;
    bool after_key_ = false;
};

// Appends s as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view s);

}  // namespace hopscope
