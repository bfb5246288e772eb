// A small streaming JSON emitter. Escaping happens here and only here; every
// string is made valid UTF-8 on the way out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

class JsonWriter {
  public:
    explicit JsonWriter(bool pretty) : pretty_(pretty) {}
    // Appends to `buffer` (its capacity is kept: audit reuses one per thread).
    JsonWriter(bool pretty, std::string buffer) : pretty_(pretty), out_(std::move(buffer)) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(int n) { return value(std::int64_t{n}); }
    JsonWriter& value(bool b);
    JsonWriter& null();
    template <typename T>
    JsonWriter& value(const std::optional<T>& v) {
        if (v) return value(*v);
        return null();
    }

    [[nodiscard]] const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    void before_value();
    void newline();
    bool pretty_;
    std::string out_;
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
