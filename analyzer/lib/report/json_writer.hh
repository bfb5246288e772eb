// A small streaming JSON emitter. Escaping happens here and only here; every
// string is made valid UTF-8 on the way out.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/byte_buffer.hh"

namespace hopscope {

class JsonWriter {
  public:
    // Writes into a buffer of its own (take() hands the text out).
    explicit JsonWriter(bool pretty);
    // Appends to `target`, straight into its room; the target's size takes
    // in what was written when the writer goes (audit writes each record
    // into the output buffer of its chunk this way).
    JsonWriter(bool pretty, ByteBuffer& target);
    // The write position points into the buffer: never copied or moved.
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;
    JsonWriter(JsonWriter&&) = delete;
    JsonWriter& operator=(JsonWriter&&) = delete;
    ~JsonWriter() { commit(); }

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }
    JsonWriter& key(std::string_view k);
    // A field name written in the code: plain ASCII by construction, copied
    // with its quotes and colon without a look at each byte.
    template <std::size_t N>
    [[gnu::always_inline]] JsonWriter& key(const char (&k)[N]) {
        if (pretty_) return key(std::string_view(k, N - 1));
        char* w = compact_separator(room(N + 3));
        *w++ = '"';
        std::memcpy(w, k, N - 1);
        w += N - 1;
        *w++ = '"';
        *w++ = ':';
        cur_ = w;
        state_ |= kAfterKey;
        return *this;
    }
    // key(k).value(v) in one step: a string member takes one room check for
    // its name and value together (a record has some 200 of them).
    template <std::size_t N, typename V>
    [[gnu::always_inline]] JsonWriter& member(const char (&k)[N], const V& v) {
        if constexpr (std::is_convertible_v<const V&, std::string_view>) {
            if (!pretty_) return string_member(k, std::string_view(v));
        } else if constexpr (requires { std::string_view(*v); }) {  // an optional string
            if (!pretty_) return v ? string_member(k, std::string_view(*v)) : null_member(k);
        }
        return key(k).value(v);
    }
    // Inline: a record is mostly string values, and they come from another file.
    JsonWriter& value(std::string_view s) {
        before_value();
        cur_ = escape(room(max_escaped(s.size())), s);
        return *this;
    }
    // A string the caller vouches for: printable ASCII with no '"' or '\\'
    // (the compiled-in tables' text, checked when they load), copied with
    // its quotes and no look at each byte.
    JsonWriter& plain_value(std::string_view s) {
        before_value();
        char* w = room(s.size() + 2);
        *w++ = '"';
        std::memcpy(w, s.data(), s.size());
        w += s.size();
        *w++ = '"';
        cur_ = w;
        return *this;
    }
    // Members written beforehand as compact JSON ("a":1,"b":"x"), text the
    // caller vouches for, copied as it is. For a compact writer (pretty()
    // false): a pretty one's caller writes them one by one.
    JsonWriter& raw_members(std::string_view json) {
        before_value();
        put(json);
        return *this;
    }
    // A value written beforehand as compact JSON (by this writer: see
    // written_since), copied as it is. For a compact writer.
    JsonWriter& raw_value(std::string_view json) {
        before_value();
        put(json);
        return *this;
    }
    // Where the next byte goes, and the text written from such a place on:
    // for a caller that keeps what it wrote to copy it later.
    [[nodiscard]] std::size_t position() const { return static_cast<std::size_t>(cur_ - out_->data()); }
    [[nodiscard]] std::string_view written_since(std::size_t position) const {
        return {out_->data() + position, static_cast<std::size_t>(cur_ - out_->data()) - position};
    }
    [[nodiscard]] bool pretty() const { return pretty_; }

    // A compact writer's members written after one room check for all of
    // them: the caller bounds the bytes they take (the escaped size of each
    // string, max_escaped, plus kRunSlack per member or element for names,
    // separators and numbers) and writes them in order, nesting objects
    // and arrays as it goes; the text is what member(), key(), value() and
    // friends write. For a compact writer at a member's place in an object
    // (or an element's in an array): the Run ends there too, its containers
    // closed.
    static constexpr std::size_t kRunSlack = 48;
    class Run {
      public:
        Run(JsonWriter& w, std::size_t bound) : w_(w), p_(w.room(bound)), first_(w.state_ == kFirst) {}
        ~Run() {
            w_.cur_ = p_;
            w_.state_ = first_ ? kFirst : 0;
        }
        Run(const Run&) = delete;
        Run& operator=(const Run&) = delete;

        template <std::size_t N>
        [[gnu::always_inline]] Run& member(const char (&k)[N], std::string_view s) {
            p_ = escape(name(k), s);
            return *this;
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& member(const char (&k)[N], const std::string& s) {
            return member(k, std::string_view(s));
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& member(const char (&k)[N], const std::optional<std::string>& s) {
            if (s) return member(k, std::string_view(*s));
            return null(k);
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& member(const char (&k)[N], std::int64_t n) {
            char* w = name(k);
            p_ = std::to_chars(w, w + 24, n).ptr;
            return *this;
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& member(const char (&k)[N], const std::optional<std::int64_t>& n) {
            if (n) return member(k, *n);
            return null(k);
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& member(const char (&k)[N], bool b) {
            char* w = name(k);
            if (b) {
                std::memcpy(w, "true", 4);
                p_ = w + 4;
            } else {
                std::memcpy(w, "false", 5);
                p_ = w + 5;
            }
            return *this;
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& member(const char (&k)[N], const std::optional<bool>& b) {
            if (b) return member(k, *b);
            return null(k);
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& null(const char (&k)[N]) {
            char* w = name(k);
            std::memcpy(w, "null", 4);
            p_ = w + 4;
            return *this;
        }
        // "k":{ and "k":[ (closed by end_object and end_array).
        template <std::size_t N>
        [[gnu::always_inline]] Run& object(const char (&k)[N]) {
            *name(k) = '{';
            ++p_;
            first_ = true;
            return *this;
        }
        template <std::size_t N>
        [[gnu::always_inline]] Run& array(const char (&k)[N]) {
            *name(k) = '[';
            ++p_;
            first_ = true;
            return *this;
        }
        // An element of an array: a string, or an object.
        Run& value(std::string_view s) {
            p_ = escape(separator(), s);
            return *this;
        }
        Run& object() {
            *separator() = '{';
            ++p_;
            first_ = true;
            return *this;
        }
        Run& end_object() { return close('}'); }
        Run& end_array() { return close(']'); }

      private:
        char* separator() {
            if (!first_) *p_++ = ',';
            first_ = false;
            return p_;
        }
        template <std::size_t N>
        [[gnu::always_inline]] char* name(const char (&k)[N]) {
            char* w = separator();
            *w++ = '"';
            std::memcpy(w, k, N - 1);
            w += N - 1;
            *w++ = '"';
            *w++ = ':';
            p_ = w;
            return w;
        }
        Run& close(char c) {
            *p_++ = c;
            first_ = false;
            return *this;
        }
        JsonWriter& w_;
        char* p_;
        bool first_;
    };
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

    // The text written; the writer is empty afterwards. For a writer with a
    // buffer of its own (one appending to a target leaves its text there).
    std::string take();

    // Worst case: every byte becomes "\u00XX" (a lone bad byte becomes three,
    // a three-byte bidi character six), plus the quotes.
    static constexpr std::size_t max_escaped(std::size_t n) { return 6 * n + 2; }
    // Writes s as a JSON string literal at w, which has room for max_escaped(s.size()).
    static char* escape(char* w, std::string_view s);

  private:
    // [out_->data(), cur_) is written and end_ is the end of the buffer's
    // room. Writes check for room once and then store directly.
    char* room(std::size_t n) {
        if (static_cast<std::size_t>(end_ - cur_) < n) grow(n);
        return cur_;
    }
    void grow(std::size_t n);
    void put(std::string_view s) {
        std::memcpy(room(s.size()), s.data(), s.size());
        cur_ += s.size();
    }
    void put(char c) {
        *room(1) = c;
        ++cur_;
    }
    // A comma before every value of a container but its first. Only the
    // innermost container's state is needed: one that closes has a value
    // (itself) in its parent, so the parent's next value takes a comma.
    // state_ says it in one byte: 0 (the usual case, a comma and nothing
    // else) or some of these.
    enum : unsigned char {
        kAfterKey = 1,  // a key was written: its value takes no comma
        kFirst = 2,     // the container has no value yet
        kTop = 4,       // outside every container
        kPretty = 8,    // a line break and indent before each value
    };
    void before_value() {
        if (state_ == 0) {
            put(',');
            return;
        }
        if (state_ == kAfterKey) {
            state_ = 0;
            return;
        }
        before_value_rare();
    }
    void before_value_rare();
    // before_value for a compact writer, at w with room for the comma:
    // returns the position after it.
    [[gnu::always_inline]] char* compact_separator(char* w) {
        if (state_ == 0) {
            *w++ = ',';
        } else if (state_ == kAfterKey || state_ == kFirst) {
            state_ = 0;
        } else {  // outside every container: no comma
            state_ &= static_cast<unsigned char>(~kAfterKey);
        }
        return w;
    }
    JsonWriter& open(char c) {
        before_value();
        put(c);
        ++depth_;
        state_ = static_cast<unsigned char>((state_ & kPretty) | kFirst);
        return *this;
    }
    JsonWriter& close(char c) {
        bool empty = (state_ & kFirst) != 0;
        --depth_;
        if (!empty) newline();
        put(c);
        state_ = static_cast<unsigned char>((state_ & kPretty) | (depth_ == 0 ? kTop : 0));
        return *this;
    }
    // Inlined: the name's length is known here, so its copy is a few moves.
    template <std::size_t N>
    [[gnu::always_inline]] JsonWriter& string_member(const char (&k)[N], std::string_view s) {
        char* w = compact_separator(room(N + 3 + max_escaped(s.size())));
        *w++ = '"';
        std::memcpy(w, k, N - 1);
        w += N - 1;
        *w++ = '"';
        *w++ = ':';
        cur_ = escape(w, s);
        return *this;
    }
    template <std::size_t N>
    [[gnu::always_inline]] JsonWriter& null_member(const char (&k)[N]) {
        char* w = compact_separator(room(N + 8));
        *w++ = '"';
        std::memcpy(w, k, N - 1);
        w += N - 1;
        std::memcpy(w, "\":null", 6);
        cur_ = w + 6;
        return *this;
    }
    void put_string(std::string_view s);
    void newline();
    void commit() { out_->set_size(static_cast<std::size_t>(cur_ - out_->data())); }
    bool pretty_;
    ByteBuffer own_;
    ByteBuffer* out_;
    char* cur_ = nullptr;
    char* end_ = nullptr;
    int depth_ = 0;
    unsigned char state_ = kFirst | kTop;
};

// Appends s as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view s);

}  // namespace hopscope
