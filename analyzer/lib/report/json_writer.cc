#include "report/json_writer.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "base/utf8.hh"

namespace hopscope {
namespace {

// C1 controls, line/paragraph separators and bidi overrides are escaped so
// the JSON stays safe to look at in a terminal or editor; the value is the same.
bool is_invisible_control(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

// Bytes that end a plain run: controls, '"', '\\', DEL and every non-ASCII
// byte (checked as UTF-8 below).
constexpr std::array<bool, 256> kSpecial = [] {
    std::array<bool, 256> t{};
    for (int b = 0; b < 256; ++b) t[static_cast<std::size_t>(b)] = b < 0x20 || b >= 0x7f || b == '"' || b == '\\';
    return t;
}();

// Eight bytes at a time: does any need escaping? The borrow trick can report
// a byte falsely (the byte loop then looks again), never miss one.
bool word_is_plain(const char* p) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
    std::uint64_t bad = (v & highs) | ((v - ones * 0x20) & ~v & highs) | has_zero(v ^ (ones * '"')) |
                        has_zero(v ^ (ones * '\\')) | has_zero(v ^ (ones * 0x7f));
    return bad == 0;
}

char* put_u_escape(char* w, unsigned cp) {
    static constexpr std::string_view hex = "0123456789abcdef";
    *w++ = '\\';
    *w++ = 'u';
    for (int shift = 12; shift >= 0; shift -= 4) *w++ = hex[(cp >> static_cast<unsigned>(shift)) & 0xF];
    return w;
}

#if defined(__SSE2__)
// Which of these sixteen bytes need escaping (the bytes from 0x80 up too,
// for the UTF-8 check)? One signed compare finds the controls, '"' and the
// high bytes: flipping bit 0x02 keeps 0x00-0x1f among themselves and the
// high bytes negative, and makes '"' 0x20 (the space becomes 0x22).
inline __m128i special_bytes(__m128i v) {
    return _mm_or_si128(_mm_cmplt_epi8(_mm_xor_si128(v, _mm_set1_epi8(0x02)), _mm_set1_epi8(0x21)),
                        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));
}
inline unsigned special_mask(__m128i v) {
    return static_cast<unsigned>(_mm_movemask_epi8(special_bytes(v)));
}
inline bool has_special(__m128i v) {
    return special_mask(v) != 0;
}

// Copies whole plain 16-byte blocks from p to w until one needs escaping or
// fewer than 16 bytes are left.
inline void copy_plain_blocks(const char*& p, const char* end, char*& w) {
    // Two blocks a turn while both are plain: one test for the pair.
    while (end - p >= 32) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
        if (_mm_movemask_epi8(_mm_or_si128(special_bytes(a), special_bytes(b))) != 0) break;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w), a);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 16), b);
        w += 32;
        p += 32;
    }
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        if (has_special(v)) return;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
        w += 16;
        p += 16;
    }
}
#endif

// The general loop: escapes what needs it, byte by byte where it must.
// Writes the opening quote too; the caller's fast path gave up on s.
[[gnu::noinline]] char* escape_general(char* w, std::string_view s) {
    *w++ = '"';
    const char* p = s.data();
    const char* end = p + s.size();
    while (p < end) {
#if defined(__SSE2__)
        copy_plain_blocks(p, end, w);
#endif
        while (end - p >= 8 && word_is_plain(p)) {
            std::memcpy(w, p, 8);
            w += 8;
            p += 8;
        }
        while (p < end && !kSpecial[static_cast<unsigned char>(*p)]) *w++ = *p++;
        if (p >= end) break;
        auto c = static_cast<unsigned char>(*p);
        if (c >= 0x80) {
            auto i = static_cast<std::size_t>(p - s.data());
            std::size_t before = i;
            char32_t cp = next_code_point(s, i);
            if (cp == 0xFFFD && i - before == 1) {
                *w++ = static_cast<char>(0xEF);  // U+FFFD for a byte that is not UTF-8
                *w++ = static_cast<char>(0xBF);
                *w++ = static_cast<char>(0xBD);
            } else if (is_invisible_control(cp)) {
                w = put_u_escape(w, static_cast<unsigned>(cp));
            } else {
                std::memcpy(w, p, i - before);
                w += i - before;
            }
            p = s.data() + i;
            continue;
        }
        ++p;
        *w++ = '\\';
        switch (c) {
            case '"':
                *w++ = '"';
                break;
            case '\\':
                *w++ = '\\';
                break;
            case '\n':
                *w++ = 'n';
                break;
            case '\r':
                *w++ = 'r';
                break;
            case '\t':
                *w++ = 't';
                break;
            default:
                w = put_u_escape(w - 1, c);
        }
    }
    *w++ = '"';
    return w;
}

#if defined(__SSE2__)
// A string of more than 32 bytes, plain in 16-byte blocks: one test for a
// pair of blocks, then the last pair overlapping the bytes before it.
char* escape_long_sse2(char* w, std::string_view s) {
    const char* p = s.data();
    const char* end = p + s.size();
    char* o = w + 1;
    copy_plain_blocks(p, end, o);
    if (end - p >= 16) return escape_general(w, s);  // stopped at a block to escape
    if (p < end) {
        // The last block overlaps the one before: everything before was plain.
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
        if (has_special(v)) return escape_general(w, s);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o + (end - p) - 16), v);
        o += end - p;
    }
    *w = '"';
    *o = '"';
    return o + 1;
}
#endif

#if defined(__x86_64__)
// special_bytes over 32 bytes.
[[gnu::target("avx2")]] inline __m256i special_bytes_avx2(__m256i v) {
    return _mm256_or_si256(
        _mm256_cmpgt_epi8(_mm256_set1_epi8(0x21), _mm256_xor_si256(v, _mm256_set1_epi8(0x02))),
        _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')), _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x7f))));
}

// Whether the 64 bytes at p are plain; copies them to w when they are.
[[gnu::target("avx2")]] inline bool copy_plain_pair_avx2(const char* p, char* w) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    __m256i bad = _mm256_or_si256(special_bytes_avx2(a), special_bytes_avx2(b));
    if (_mm256_testz_si256(bad, bad) == 0) return false;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w + 32), b);
    return true;
}

// escape_long_sse2 with 32-byte blocks: a string of more than 32 bytes is
// tested 64 bytes a turn, and its last 64 (or all of it, when shorter)
// as a pair that overlaps what was tested before.
[[gnu::target("avx2")]] char* escape_long_avx2(char* w, std::string_view s) {
    const char* p = s.data();
    const std::size_t n = s.size();
    char* o = w + 1;
    std::size_t i = 0;
    for (; n - i > 64; i += 64)
        if (!copy_plain_pair_avx2(p + i, o + i)) return escape_general(w, s);
    // The last pair: 64 bytes ending at the end, else the first 32 and the last 32.
    const std::size_t first = n >= 64 ? n - 64 : 0;
    const std::size_t second = n - 32;
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + first));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + second));
    __m256i bad = _mm256_or_si256(special_bytes_avx2(a), special_bytes_avx2(b));
    if (_mm256_testz_si256(bad, bad) == 0) return escape_general(w, s);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + first), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + second), b);
    *w = '"';
    o[n] = '"';
    return o + n + 1;
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2") != 0;
#endif

}  // namespace

// A record holds some 200 strings, nearly all plain and short: each is
// tested with one or two vector compares over (overlapping) loads of its own
// bytes and copied the same way. Only a string that needs an escape goes to
// the general loop, which starts over.
char* JsonWriter::escape(char* w, std::string_view s) {
    const char* p = s.data();
    std::size_t n = s.size();
#if defined(__SSE2__)
    if (n > 32) {
#if defined(__x86_64__)
        if (kHasAvx2) return escape_long_avx2(w, s);
#endif
        return escape_long_sse2(w, s);
    }
    if (n >= 16) {  // two overlapping blocks of sixteen
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
        if (_mm_movemask_epi8(_mm_or_si128(special_bytes(a), special_bytes(b))) != 0) return escape_general(w, s);
        *w = '"';
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 1), a);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 1 + n - 16), b);
        w[n + 1] = '"';
        return w + n + 2;
    }
    if (n >= 8) {  // two overlapping halves of eight bytes in one register
        __m128i v = _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)),
                                       _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + n - 8)));
        if (has_special(v)) return escape_general(w, s);
        *w = '"';
        std::memcpy(w + 1, p, 8);
        std::memcpy(w + 1 + n - 8, p + n - 8, 8);
        w[n + 1] = '"';
        return w + n + 2;
    }
    if (n >= 4) {  // the same with halves of four (the other eight lanes are zero: not looked at)
        std::uint32_t a = 0;
        std::uint32_t b = 0;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        __m128i v = _mm_unpacklo_epi32(_mm_cvtsi32_si128(static_cast<int>(a)), _mm_cvtsi32_si128(static_cast<int>(b)));
        if ((special_mask(v) & 0xFFU) != 0) return escape_general(w, s);
        *w = '"';
        std::memcpy(w + 1, &a, 4);
        std::memcpy(w + 1 + n - 4, &b, 4);
        w[n + 1] = '"';
        return w + n + 2;
    }
#endif
    // Tested and copied in one walk (no call to memcpy: the usual paths
    // above then need no registers saved).
    *w = '"';
    for (std::size_t i = 0; i < n; ++i) {
        if (kSpecial[static_cast<unsigned char>(p[i])]) return escape_general(w, s);
        w[i + 1] = p[i];
    }
    w[n + 1] = '"';
    return w + n + 2;
}

void append_json_string(std::string& out, std::string_view s) {
    std::size_t old = out.size();
    out.resize(old + JsonWriter::max_escaped(s.size()));
    char* end = JsonWriter::escape(out.data() + old, s);
    out.resize(static_cast<std::size_t>(end - out.data()));
}

// own_ is constructed (it is declared before out_) before the body below uses it.
JsonWriter::JsonWriter(bool pretty) : JsonWriter(pretty, own_) {}

JsonWriter::JsonWriter(bool pretty, ByteBuffer& target) : pretty_(pretty), out_(&target) {
    if (pretty) state_ |= kPretty;
    target.reserve(target.size() + 256);
    cur_ = target.data() + target.size();
    end_ = target.data() + target.capacity();
}

std::string JsonWriter::take() {
    std::string text(out_->data(), cur_);
    cur_ = out_->data();
    depth_ = 0;
    state_ = static_cast<unsigned char>((state_ & kPretty) | kFirst | kTop);
    return text;
}

void JsonWriter::grow(std::size_t n) {
    commit();
    out_->reserve(std::max(out_->capacity() * 2, out_->size() + n));
    cur_ = out_->data() + out_->size();
    end_ = out_->data() + out_->capacity();
}

void JsonWriter::put_string(std::string_view s) {
    cur_ = escape(room(max_escaped(s.size())), s);
}

void JsonWriter::before_value_rare() {
    if ((state_ & kAfterKey) != 0) {
        state_ &= static_cast<unsigned char>(~kAfterKey);
        return;
    }
    if ((state_ & kTop) != 0) return;
    if ((state_ & kFirst) == 0) put(',');
    state_ &= static_cast<unsigned char>(~kFirst);
    if (pretty_) newline();
}

void JsonWriter::newline() {
    if (!pretty_) return;
    put('\n');
    for (int i = 0; i < depth_; ++i) put("  ");
}

JsonWriter& JsonWriter::key(std::string_view k) {
    before_value();
    bool plain = true;
    for (char c : k) plain = plain && !kSpecial[static_cast<unsigned char>(c)];
    if (plain) {  // our own field names: nothing to escape
        char* w = room(k.size() + 4);
        *w++ = '"';
        std::memcpy(w, k.data(), k.size());
        w += k.size();
        *w++ = '"';
        *w++ = ':';
        cur_ = w;
    } else {
        put_string(k);
        put(':');
    }
    if (pretty_) put(' ');
    state_ |= kAfterKey;
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
    before_value();
    char* w = room(24);
    auto [end, ec] = std::to_chars(w, w + 24, n);
    cur_ = end;
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    put(b ? std::string_view("true") : std::string_view("false"));
    return *this;
}

}  // namespace hopscope
