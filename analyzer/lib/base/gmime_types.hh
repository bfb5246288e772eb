// Thin RAII owners for what GMime and GLib hand us, as mu does
// (lib/message/mu-mime-object.hh): business code never frees or unrefs by
// hand. gmime_text.cc, date_parser.cc and bounce_reader.cc use them.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <utility>

namespace hopscope::gm {

// A GObject reference: copying adds a ref, moving takes it over.
template <typename T>
class Object {
  public:
    Object() = default;
    // Takes over a transfer-full pointer.
    static Object adopt(T* p) { return Object(p); }
    // Adds a reference to a transfer-none pointer.
    static Object borrow(T* p) {
        if (p != nullptr) g_object_ref(p);
        return Object(p);
    }
    Object(const Object& o) : p_(o.p_) {
        if (p_ != nullptr) g_object_ref(p_);
    }
    Object(Object&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Object& operator=(Object o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Object() {
        if (p_ != nullptr) g_object_unref(p_);
    }
    [[nodiscard]] T* get() const { return p_; }
    explicit operator bool() const { return p_ != nullptr; }

  private:
    explicit Object(T* p) : p_(p) {}
    T* p_ = nullptr;
};

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};

using DateTime = std::unique_ptr<GDateTime, Deleter<g_date_time_unref>>;
using TimeZone = std::unique_ptr<GTimeZone, Deleter<g_time_zone_unref>>;
using ParserOptions = std::unique_ptr<GMimeParserOptions, Deleter<g_mime_parser_options_free>>;
using CString = std::unique_ptr<char, Deleter<g_free>>;
using Bytes = std::unique_ptr<guchar, Deleter<g_free>>;
using Error = std::unique_ptr<GError, Deleter<g_error_free>>;
using Checksum = std::unique_ptr<GChecksum, Deleter<g_checksum_free>>;

inline std::string to_string(const CString& s) {
    return s ? std::string(s.get()) : std::string();
}

// g_mime_init() once per process, thread-safe.
void ensure_initialised();

// A part's content with its transfer encoding undone, as bytes (NULs and all).
inline std::string content_bytes(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return {};
    auto stream = Object<GMimeStream>::adopt(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(content, stream.get());
    GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
    return array == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(array->data), array->len);
}

}  // namespace hopscope::gm
