#include "parse/received_tokenizer.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>

#include "base/limits.hh"

namespace hopscope {
namespace {

enum : unsigned char { kSpace = 1, kSpecial = 2, kAtomEnd = 4, kOpens = 8 };

// One lookup per byte: white space, the specials that start a token, and
// everything that ends an atom (both, plus ')'); kOpens: the bytes that
// start something other than a word (all specials but ')').
constexpr std::array<unsigned char, 256> kClass = [] {
    std::array<unsigned char, 256> t{};
    for (unsigned char c : {' ', '\t', '\r', '\n'}) t[c] = kSpace | kAtomEnd;
    for (unsigned char c : {'(', ')', '"', '[', ';', '<'}) t[c] = kSpecial | kAtomEnd | (c == ')' ? 0 : kOpens);
    return t;
}();

bool is_space(char c) {
    return (kClass[static_cast<unsigned char>(c)] & kSpace) != 0;
}
bool ends_atom(char c) {
    return (kClass[static_cast<unsigned char>(c)] & kAtomEnd) != 0;
}

struct Scanner {
    std::string_view s;
    std::size_t i = 0;
    bool unterminated = false;
    bool depth_exceeded = false;

    // At '(' : returns the inner text and moves past the matching ')'.
    std::string_view comment() {
        std::size_t start = ++i;
        std::size_t depth = 1;
        while (i < s.size()) {
#if defined(__SSE2__)
            // Skip sixteen bytes at a time to the next '(', ')' or '\\'.
            while (i + 16 <= s.size()) {
                __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
                auto hit = _mm_movemask_epi8(_mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')), _mm_cmpeq_epi8(v, _mm_set1_epi8(')'))),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
                if (hit != 0) {
                    i += static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(hit)));
                    break;
                }
                i += 16;
            }
            if (i >= s.size()) break;
#endif
            char c = s[i];
            if (c == '\\' && i + 1 < s.size()) {
                i += 2;
                continue;
            }
            if (c == '(') {
                if (++depth > limits::max_comment_depth) depth_exceeded = true;
            } else if (c == ')') {
                if (--depth == 0) return s.substr(start, i++ - start);
            }
            ++i;
        }
        unterminated = true;
        return s.substr(start);
    }

    std::string_view quoted() {
        std::size_t start = ++i;
        while (i < s.size()) {
            if (s[i] == '\\' && i + 1 < s.size()) {
                i += 2;
                continue;
            }
            if (s[i] == '"') return s.substr(start, i++ - start);
            ++i;
        }
        unterminated = true;
        return s.substr(start);
    }

    // At '[' : the literal with its brackets and a directly following ":port".
    std::string_view literal() {
        std::size_t start = i;
        std::size_t close = s.find(']', i);
        if (close == std::string_view::npos) {
            unterminated = true;
            i = s.size();
            return s.substr(start);
        }
        i = close + 1;
        if (i < s.size() && s[i] == ':') {
            std::size_t j = i + 1;
            while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
            if (j > i + 1) i = j;
        }
        return s.substr(start, i - start);
    }

    // At '<' : an angle address up to '>' (which may hold ';' or spaces).
    std::string_view angle() {
        std::size_t start = i;
        // Never swallow a comment or a line break: the '>' must come first.
        std::size_t close = i + 1;
#if defined(__SSE2__)
        // Addresses run to thirty bytes and more: sixteen a test.
        for (; close + 16 <= s.size(); close += 16) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + close));
            auto hit = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('>')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')), _mm_cmpeq_epi8(v, _mm_set1_epi8(')'))))));
            if (hit != 0) {
                close += static_cast<std::size_t>(__builtin_ctz(hit));
                break;
            }
        }
#endif
        while (close < s.size() && s[close] != '>' && s[close] != '\n' && s[close] != '(' && s[close] != ')') ++close;
        if (close == s.size() || s[close] != '>') {
            ++i;
            while (i < s.size() && !ends_atom(s[i])) ++i;
            return s.substr(start, i - start);
        }
        i = close + 1;
        return s.substr(start, i - start);
    }

    std::string_view atom() {
        std::size_t start = i;
        // "SMTPSVC(6.0)" and "foo[1.2.3.4]" split at the delimiter.
#if defined(__SSE2__)
        // Sixteen bytes at a time to the first byte that may end the atom
        // (any byte up to ' ', or a special), then the table decides.
        while (i + 16 <= s.size()) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
            __m128i low = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(' ')), _mm_set1_epi8(' '));
            __m128i specials = _mm_or_si128(
                _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')), _mm_cmpeq_epi8(v, _mm_set1_epi8(')'))),
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('[')))),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')), _mm_cmpeq_epi8(v, _mm_set1_epi8('<'))));
            auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, specials)));
            while (mask != 0 && !ends_atom(s[i + static_cast<std::size_t>(__builtin_ctz(mask))])) mask &= mask - 1;
            if (mask != 0) {
                i += static_cast<std::size_t>(__builtin_ctz(mask));
                return finish_atom(start);
            }
            i += 16;
        }
#endif
        while (i < s.size() && !ends_atom(s[i])) ++i;
        return finish_atom(start);
    }

    std::string_view finish_atom(std::size_t start) {
        if (i == start) ++i;  // a stray ')' becomes a one-character atom
        return s.substr(start, i - start);
    }
};

// Reads tokens into `out` from sc.i; at a ';' outside every comment, quote,
// literal and address, on_semicolon says whether to stop there.
template <typename OnSemicolon>
void scan(Scanner& sc, std::vector<Token>& out, OnSemicolon&& on_semicolon) {
    while (sc.i < sc.s.size()) {
        char c = sc.s[sc.i];
        if (is_space(c)) {
            ++sc.i;
        } else if (c == '(') {
            out.push_back({TokenKind::Comment, sc.comment()});
        } else if (c == '"') {
            out.push_back({TokenKind::Quoted, sc.quoted()});
        } else if (c == '[') {
            out.push_back({TokenKind::Literal, sc.literal()});
        } else if (c == '<') {
            out.push_back({TokenKind::Atom, sc.angle()});
        } else if (c == ';') {
            if (on_semicolon(out, sc.i)) return;
            ++sc.i;
        } else {
            out.push_back({TokenKind::Atom, sc.atom()});
        }
    }
}

// The first byte at or after i that starts something other than a word or
// white space ('(', '"', '[', ';', '<'), or npos.
std::size_t next_opening(std::string_view s, std::size_t i) {
    const std::size_t n = s.size();
#if defined(__SSE2__)
    auto openings = [&s](std::size_t at) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + at));
        return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')), _mm_cmpeq_epi8(v, _mm_set1_epi8(';')))),
            _mm_cmpeq_epi8(v, _mm_set1_epi8('<')))));
    };
    for (; i + 16 <= n; i += 16)
        if (unsigned m = openings(i); m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
    if (i < n && n >= 16) {
        // The bytes left, in one block ending at the end (those before i dropped).
        std::size_t at = n - 16;
        unsigned m = openings(at) >> (i - at);
        return m != 0 ? i + static_cast<std::size_t>(__builtin_ctz(m)) : std::string_view::npos;
    }
#endif
    for (; i < n; ++i)
        if ((kClass[static_cast<unsigned char>(s[i])] & kOpens) != 0) return i;
    return std::string_view::npos;
}

// After a top-level ';': passes over what follows to the next top-level ';'
// (true, sc.i at it) or to the end (false). Words and white space are
// passed over unread (tokens after the last ';' are the date, never kept);
// comments, quotes, literals and <addresses> are read to their ends exactly
// as scan reads them, so a ';' inside one does not count and their flags
// are set.
bool pass_to_semicolon(Scanner& sc) {
    for (;;) {
        std::size_t at = next_opening(sc.s, sc.i);
        if (at == std::string_view::npos) {
            sc.i = sc.s.size();
            return false;
        }
        sc.i = at;
        switch (sc.s[at]) {
            case ';':
                return true;
            case '(':
                sc.comment();
                break;
            case '"':
                sc.quoted();
                break;
            case '[':
                sc.literal();
                break;
            default:  // '<'
                sc.angle();
                break;
        }
    }
}

}  // namespace

void tokenize_received(std::string_view unfolded, ReceivedTokens& result) {
    Scanner sc{unfolded};
    std::vector<Token>& out = result.tokens;
    out.clear();  // keeps its capacity: the parser reuses one list per thread
    std::size_t last_semicolon = std::string_view::npos;
    std::size_t tokens_before = 0;
    auto stop = [](const std::vector<Token>&, std::size_t) { return true; };
    for (;;) {
        scan(sc, out, stop);
        if (sc.i >= unfolded.size()) break;
        last_semicolon = sc.i++;
        tokens_before = out.size();
        // The tokens after the last ';' are dropped below: what follows this
        // one is read as tokens only when another ';' comes after it.
        std::size_t resume = sc.i;
        if (!pass_to_semicolon(sc)) break;
        sc.i = resume;
    }
    result.unterminated = sc.unterminated;
    result.depth_exceeded = sc.depth_exceeded;
    result.has_semicolon = last_semicolon != std::string_view::npos;
    result.date = {};
    if (result.has_semicolon) {
        result.date = unfolded.substr(last_semicolon + 1);
        result.tokens.resize(tokens_before);
    }
}

ReceivedTokens tokenize_received(std::string_view unfolded) {
    ReceivedTokens result;
    tokenize_received(unfolded, result);
    return result;
}

void tokenize_comment(std::string_view inner, std::vector<Token>& out) {
    Scanner sc{inner};
    out.clear();  // keeps its capacity: callers reuse one list per thread
    // Inside a comment ';' is plain text: keep it as an atom.
    scan(sc, out, [&](std::vector<Token>& so_far, std::size_t at) {
        so_far.push_back({TokenKind::Atom, inner.substr(at, 1)});
        return false;
    });
}

std::vector<Token> tokenize_comment(std::string_view inner) {
    std::vector<Token> out;
    tokenize_comment(inner, out);
    return out;
}

}  // namespace hopscope
