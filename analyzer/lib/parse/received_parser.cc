#include "parse/received_parser.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "base/limits.hh"
#include "input/header_block.hh"
#include "parse/date_parser.hh"
#include "parse/ip_address.hh"
#include "parse/received_tokenizer.hh"
#include "parse/tls_version.hh"

namespace hopscope {
namespace {

enum class Clause { None, From, By, Via, With, Id, For };

// The keyword an atom is, if any. Every atom of every stamp comes here: the
// length and one load of its bytes decide. Keywords are letters only, and a
// byte OR 0x20 equals a lower-case letter only where the byte is that letter
// in either case: one OR folds the whole word.
Clause clause_of(const Token& t) {
    const std::size_t n = t.text.size();
    if (t.kind != TokenKind::Atom || n < 2 || n > 4) return Clause::None;
    // The atom's bytes (a fixed-size load per length), each OR 0x20.
    auto word = []<std::size_t N>(const char(&w)[N]) {
        std::uint32_t v = 0;
        std::memcpy(&v, w, N - 1);
        return v;
    };
    auto folded = [p = t.text.data()]<std::size_t N>(const char(&spaces)[N]) {
        std::uint32_t v = 0;
        std::memcpy(&v, p, N - 1);
        std::uint32_t fold = 0;
        std::memcpy(&fold, spaces, N - 1);
        return v | fold;
    };
    switch (n) {
        case 2: {
            std::uint32_t f = folded("  ");
            if (f == word("by")) return Clause::By;
            if (f == word("id")) return Clause::Id;
            break;
        }
        case 3: {
            std::uint32_t f = folded("   ");
            if (f == word("for")) return Clause::For;
            if (f == word("via")) return Clause::Via;
            break;
        }
        default: {
            std::uint32_t f = folded("    ");
            if (f == word("from")) return Clause::From;
            if (f == word("with")) return Clause::With;
            break;
        }
    }
    return Clause::None;
}

// Protocol names that mean the hop ran over TLS (RFC 3848, RFC 6531).
constexpr std::array<std::string_view, 8> kTlsProtocols = {"ESMTPS",    "ESMTPSA",    "LMTPS",     "LMTPSA",
                                                           "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTPS", "HTTPS"};

// Case-insensitive search for the few phrases a comment is asked about:
// only the places holding the needle's first byte, and its last byte where
// that would end, are compared in full (either byte in either case).
bool ifind(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    if (needle.size() > hay.size()) return false;
    char first = static_cast<char>(needle[0] | 0x20);
    std::size_t last = hay.size() - needle.size();  // the last place it can start
    std::size_t i = 0;
#if defined(__SSE2__)
    // Every comment of every stamp is asked about a few phrases: the places
    // are found sixteen at a time. Bit k of a mask: place at + k holds both
    // bytes (OR 0x20 folds case; other bytes it changes only add places to
    // compare).
    const std::size_t tail = needle.size() - 1;
    const __m128i lo = _mm_set1_epi8(first);
    const __m128i hi = _mm_set1_epi8(static_cast<char>(needle[tail] | 0x20));
    const __m128i fold = _mm_set1_epi8(0x20);
    auto places = [&](const char* at) {
        __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)), fold);
        __m128i z = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at + tail)), fold);
        return static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, lo), _mm_cmpeq_epi8(z, hi))));
    };
    auto found = [&](std::size_t at, unsigned mask) {
        for (; mask != 0; mask &= mask - 1)
            if (iequals(hay.substr(at + static_cast<std::size_t>(__builtin_ctz(mask)), needle.size()), needle))
                return true;
        return false;
    };
    // Both loads of a block stay inside the text: place + 15 + tail <= last + tail.
    for (; i + 16 <= last + 1; i += 16)
        if (found(i, places(hay.data() + i))) return true;
    // The places past the last whole block: one block ending at the last
    // place, overlapping the one before (a place tested twice answers the same).
    if (i > 0) return i <= last && found(last + 1 - 16, places(hay.data() + last + 1 - 16));
    // Fewer than sixteen places (most comments), the places 0..last.
    const unsigned in_text = (2U << last) - 1U;
    if (hay.size() >= 16) {
        // First bytes from a block at the start, last bytes from a block
        // ending at the end: its byte k is the last byte of place
        // k - (16 - places).
        auto mask = [&](const char* at, const __m128i& want) {
            __m128i v = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)), fold);
            return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, want)));
        };
        unsigned firsts = mask(hay.data(), lo);
        unsigned lasts = mask(hay.data() + hay.size() - 16, hi) >> (16 - (last + 1));
        return found(0, firsts & lasts & in_text);
    }
    // A text shorter than a block: one block over a copy padded with NUL bytes.
    std::array<char, 32> pad{};
    std::memcpy(pad.data(), hay.data(), hay.size());
    return found(0, places(pad.data()) & in_text);
#endif
    for (; i <= last; ++i)
        if (static_cast<char>(hay[i] | 0x20) == first && iequals(hay.substr(i, needle.size()), needle)) return true;
    return false;
}

// Whether `c` holds "tls" or "ssl" in any case: one pass for both words.
bool mentions_tls(std::string_view c) {
    const std::size_t n = c.size();
    const char* p = c.data();
    std::size_t i = 0;
#if defined(__SSE2__)
    // Three loads a byte apart: lane k holds the bytes at k, k + 1 and k + 2.
    auto window = [p](std::size_t at) {
        const __m128i fold = _mm_set1_epi8(0x20);
        __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)), fold);
        __m128i b = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at + 1)), fold);
        __m128i d = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at + 2)), fold);
        __m128i tls =
            _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('t')), _mm_cmpeq_epi8(b, _mm_set1_epi8('l'))),
                          _mm_cmpeq_epi8(d, _mm_set1_epi8('s')));
        __m128i ssl =
            _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('s')), _mm_cmpeq_epi8(b, _mm_set1_epi8('s'))),
                          _mm_cmpeq_epi8(d, _mm_set1_epi8('l')));
        return _mm_movemask_epi8(_mm_or_si128(tls, ssl)) != 0;
    };
    for (; i + 18 <= n; i += 16)
        if (window(i)) return true;
    if (i > 0) return i + 2 < n && window(n - 18);  // the places left, in one window ending at the end
    if (n >= 3) {
        // Most comments are shorter than a window ("(Postfix)", "(TLS)"): one
        // window over a copy padded with NUL bytes, which match no letter.
        std::array<char, 32> pad{};
        std::memcpy(pad.data(), p, n);
        auto in_pad = [&pad](std::size_t at) {
            const __m128i fold = _mm_set1_epi8(0x20);
            __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pad.data() + at)), fold);
            __m128i b = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pad.data() + at + 1)), fold);
            __m128i d = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pad.data() + at + 2)), fold);
            __m128i tls = _mm_and_si128(
                _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('t')), _mm_cmpeq_epi8(b, _mm_set1_epi8('l'))),
                _mm_cmpeq_epi8(d, _mm_set1_epi8('s')));
            __m128i ssl = _mm_and_si128(
                _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('s')), _mm_cmpeq_epi8(b, _mm_set1_epi8('s'))),
                _mm_cmpeq_epi8(d, _mm_set1_epi8('l')));
            return _mm_movemask_epi8(_mm_or_si128(tls, ssl)) != 0;
        };
        return in_pad(0);  // n < 18: every place a word of three can start is in it
    }
    return false;
#endif
    for (; i + 3 <= n; ++i) {
        char a = static_cast<char>(p[i] | 0x20);
        char b = static_cast<char>(p[i + 1] | 0x20);
        char d = static_cast<char>(p[i + 2] | 0x20);
        if ((a == 't' && b == 'l' && d == 's') || (a == 's' && b == 's' && d == 'l')) return true;
    }
    return false;
}

std::string clean_host(std::string_view name) {
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    return std::string(name);
}

bool is_unknown(std::string_view name) {
    return iequals(name, "unknown");
}

// "key=value" anywhere in a comment, value up to white space, ',' or ';'.
// Every key ends in '=': find those, then look back.
std::optional<std::string_view> keyed_value(std::string_view text, std::string_view key) {
    std::size_t k = key.size();
    for (std::size_t eq = text.find('=', k - 1); eq != std::string_view::npos; eq = text.find('=', eq + 1)) {
        std::size_t i = eq + 1 - k;
        if (!iequals(text.substr(i, k), key)) continue;
        if (i > 0 && text[i - 1] != ' ' && text[i - 1] != '(' && text[i - 1] != ',') continue;
        std::size_t start = i + k;
        std::size_t end = start;
        while (end < text.size() && text[end] != ' ' && text[end] != ',' && text[end] != ';' && text[end] != ')' &&
               text[end] != '\t')
            ++end;
        if (end > start) return text.substr(start, end - start);
    }
    return std::nullopt;
}

struct TlsFinder {
    std::optional<Tls> tls;

    Tls& get() {
        if (!tls) tls = Tls{};
        return *tls;
    }
    // Copied only when kept: the first reading wins.
    void set_version(std::string_view v) {
        if (!get().version) get().version.emplace(v);
    }
    void set_cipher(std::string_view c) {
        if (!get().cipher) get().cipher.emplace(c);
    }

    // Returns true when the comment was about TLS.
    bool from_comment(std::string_view c) {  // NOLINT(readability-function-cognitive-complexity)
        // Every reading below needs "TLS" or "SSL" in some case, or ends in
        // " encrypted": most comments of a stamp have neither.
        if (!mentions_tls(c) && !c.ends_with(" encrypted")) return false;
        // Gmail, Sendmail, Microsoft: (version=TLS1_2 cipher=...); Microsoft uses ", "
        for (auto [vkey, ckey] : {std::pair{"version=", "cipher="}, std::pair{"tlsversion=", "tlscipher="}}) {
            if (auto v = keyed_value(c, vkey)) {
                if (istarts_with(*v, "TLS") || istarts_with(*v, "SSL")) {
                    set_version(*v);
                    if (auto ci = keyed_value(c, ckey)) set_cipher(*ci);
                    return true;
                }
            }
        }
        // Postfix: (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...);
        // others: (Using TLS), (using TLS: TLSv1.2, DES-CBC3-SHA)
        if (istarts_with(c, "using TLS") || istarts_with(c, "using SSL")) {
            if (istarts_with(c, "using TLS: ")) {
                auto rest = c.substr(11);
                auto comma = rest.find(',');
                set_version(rest.substr(0, comma));
                if (comma != std::string_view::npos) {
                    auto ci = rest.substr(comma + 1);
                    while (!ci.empty() && ci.front() == ' ') ci.remove_prefix(1);
                    set_cipher(ci.substr(0, ci.find(' ')));
                }
                return true;
            }
            auto rest = c.substr(6);
            std::string_view version = rest.substr(0, rest.find(' '));
            if (version.size() > 3)
                set_version(version);
            else
                get();
            if (auto wc = c.find("with cipher "); wc != std::string_view::npos) {
                auto cs = c.substr(wc + 12);
                set_cipher(cs.substr(0, cs.find(' ')));
            }
            return true;
        }
        // Courier: (AUTH: LOGIN u@example.com, TLS: TLSv1.3,256bits,TLS_AES_256_GCM_SHA384)
        if (auto at = c.find("TLS: "); at != std::string_view::npos && (at == 0 || c[at - 1] == ' ')) {
            auto rest = c.substr(at + 5);
            auto comma = rest.find(',');
            set_version(rest.substr(0, comma));
            if (auto last = rest.rfind(','); last != std::string_view::npos && last != comma)
                set_cipher(rest.substr(last + 1));
            return true;
        }
        if (istarts_with(c, "Cipher TLS")) c.remove_prefix(7);  // Exim variant: (Cipher TLS1.3:...:128)
        // Exim: (TLS1.3) or (TLSv1.2:ECDHE-RSA-AES128-GCM-SHA256:128); Microsoft: (TLS)
        if (istarts_with(c, "TLS") || istarts_with(c, "SSL")) {
            std::string_view first = c.substr(0, c.find(' '));
            auto colon = first.find(':');
            std::string_view version = first.substr(0, colon);
            if (version.size() > 3 || iequals(version, "TLS")) {
                if (version.size() > 3)
                    set_version(version);
                else
                    get();
                if (colon != std::string_view::npos) {
                    auto rest = first.substr(colon + 1);
                    set_cipher(rest.substr(0, rest.find(':')));
                }
                return true;
            }
        }
        // A product's own words: Cellopoint's "(Cellopoint E-mail Firewall
        // v4.1.14 Build 0819 with TLSv1.2 ECDHE-RSA-AES256-SHA384 256/256)",
        // "(... with TLS)": a version and a cipher after " with TLS".
        if (auto w = c.find(" with TLS"); w != std::string_view::npos) {
            std::string_view rest = c.substr(w + 6);
            std::string_view version = rest.substr(0, rest.find(' '));
            if (version.size() == 3 || (version.size() > 3 && (version[3] == 'v' || version[3] == 'V' ||
                                                               (version[3] >= '0' && version[3] <= '9')))) {
                if (version.size() > 3)
                    set_version(version);
                else
                    get();
                if (auto sp = rest.find(' '); sp != std::string_view::npos) {
                    std::string_view cipher = rest.substr(sp + 1);
                    cipher = cipher.substr(0, cipher.find(' '));
                    if (!cipher.empty() && cipher.find('-') != std::string_view::npos) set_cipher(cipher);
                }
                return true;
            }
        }
        // qmail TLS patch: (DHE-RSA-AES256-SHA encrypted)
        if (c.size() > 10 && c.substr(c.size() - 10) == " encrypted") {
            set_cipher(c.substr(0, c.size() - 10));
            return true;
        }
        return false;
    }
};

std::optional<std::string> mta_from_comment(std::string_view c) {
    if (c.size() < 2) return std::nullopt;
    // The first letter (either case) picks the names to compare.
    switch (c[0] | 0x20) {
        case 'p':
            if (istarts_with(c, "Postfix")) return std::string("Postfix");
            break;
        case 'e':
            if (istarts_with(c, "Exim ")) return std::string(c.substr(0, c.find(')')));
            break;
        case 'q':
            if (istarts_with(c, "qmail ")) return std::string("qmail");
            break;
        case 'l':
            // L-Soft's list server: "by LIST.EXAMPLE.ORG (LISTSERV-TCP/IP release 1.8c) with spool id 2458"
            if (istarts_with(c, "LISTSERV")) return std::string("LISTSERV");
            break;
        case 'd':
            if (istarts_with(c, "Dovecot")) return std::string("Dovecot");
            break;
        case 's':
            if (istarts_with(c, "Sendmail") || istarts_with(c, "Switch-")) return std::string("Sendmail");
            break;
        default:
            break;
    }
    // Sendmail writes its version pair: (8.15.2/8.15.2)
    if (c[0] >= '0' && c[0] <= '9' && c[1] == '.') {
        auto slash = c.find('/');
        if (slash != std::string_view::npos && slash > 2 && c.find(' ') == std::string_view::npos)
            return std::string("Sendmail");
    }
    return std::nullopt;
}

// Where the last '@' of a word is: most words have none, which one forward
// search (memchr) tells before a backward one byte by byte.
std::size_t last_at(std::string_view word) {
    return word.find('@') == std::string_view::npos ? std::string_view::npos : word.rfind('@');
}

struct SenderClues {
    std::optional<std::string> ip;
    std::optional<std::string> rdns;
    bool rdns_form = false;     // "NAME [IP]" inside the comment (Postfix, Sendmail, Gmail)
    bool rdns_unknown = false;  // that NAME is "unknown": no reverse name found
    std::optional<std::string> helo;
    bool helo_form = false;  // helo=, (HELO x), "EHLO x" (Exim, qmail, ZMailer)
};

void read_sender_comment(std::string_view inner, SenderClues& clues, std::vector<std::string>& notes, int depth) {
    // One token list per nesting level and thread, reused stamp after stamp.
    thread_local std::array<std::vector<Token>, 3> lists;
    std::vector<Token>& toks = lists.at(static_cast<std::size_t>(depth));
    tokenize_comment(inner, toks);
    // The last word asked whether it is an address, and the answer: the name
    // before a literal is asked again below.
    std::string_view asked;
    bool asked_is_ip = false;
    auto ip_of = [&](std::string_view text) {
        auto ip = ip_from_literal(text);
        asked = text;
        asked_is_ip = ip.has_value();
        return ip;
    };
    for (std::size_t k = 0; k < toks.size(); ++k) {
        const Token& t = toks[k];
        switch (t.kind) {
            case TokenKind::Literal: {
                if (!clues.ip) clues.ip = ip_from_literal(t.text);
                // Postfix, Sendmail, Gmail: "(RDNS [IP])" with the name first;
                // "(Not Verified[IP])" and the like name nothing.
                if (k == 1 && toks[0].kind == TokenKind::Atom && !clues.rdns_form) {
                    std::string_view name = toks[0].text;
                    if (auto at = last_at(name); at != std::string_view::npos) {
                        notes.push_back("ident/user " + std::string(name.substr(0, at)));
                        name = name.substr(at + 1);
                    }
                    clues.rdns_form = true;
                    clues.rdns_unknown = is_unknown(name);
                    // "(really [IP])": the address the client really connected
                    // from, after the HELO it gave; no name.
                    if (!name.empty() && !is_unknown(name) && !iequals(name, "really") &&
                        !(name.data() == asked.data() && name.size() == asked.size()
                              ? asked_is_ip
                              : ip_from_literal(name).has_value()))
                        clues.rdns = clean_host(name);
                }
                break;
            }
            case TokenKind::Quoted: {  // ZMailer: "EHLO name"
                if (istarts_with(t.text, "EHLO ") || istarts_with(t.text, "HELO ") || istarts_with(t.text, "LHLO ")) {
                    clues.helo_form = true;
                    clues.helo = clean_host(t.text.substr(5));
                }
                break;
            }
            case TokenKind::Comment:
                if (ifind(t.text, "may be forged"))
                    notes.emplace_back("may be forged");
                else if (depth < 2)
                    read_sender_comment(t.text, clues, notes, depth + 1);
                break;
            case TokenKind::Atom: {
                if (istarts_with(t.text, "helo=")) {
                    clues.helo_form = true;
                    // Exim: "helo=[192.168.0.5]" lexes as "helo=" then a literal.
                    if (t.text.size() == 5 && k + 1 < toks.size() && toks[k + 1].kind == TokenKind::Literal) {
                        clues.helo = std::string(toks[k + 1].text);
                        ++k;
                    } else {
                        clues.helo = clean_host(t.text.substr(5));
                    }
                } else if ((iequals(t.text, "HELO") || iequals(t.text, "EHLO") || iequals(t.text, "LHLO")) &&
                           k + 1 < toks.size() && toks[k + 1].kind != TokenKind::Comment) {
                    clues.helo_form = true;
                    clues.helo = clean_host(toks[k + 1].text);
                    ++k;
                } else if (istarts_with(t.text, "ident=")) {
                    notes.push_back("ident " + std::string(t.text.substr(6)));
                } else if (auto ip = ip_of(t.text)) {
                    if (!clues.ip) clues.ip = std::move(ip);
                } else if (auto slash = clues.ip || t.text.find('@') != std::string_view::npos ? std::string_view::npos
                                                                                               : t.text.rfind('/');
                           slash != std::string_view::npos && (clues.ip = normalise_ip(t.text.substr(slash + 1)))) {
                    // Java's InetAddress as text (Oracle Beehive): "(/41.57.98.10)", "(name/41.57.98.10)".
                    if (slash > 0 && !clues.rdns && !is_unknown(t.text.substr(0, slash)))
                        clues.rdns = clean_host(t.text.substr(0, slash));
                } else if (auto at = last_at(t.text); at != std::string_view::npos) {
                    // qmail/vpopmail: "(user@domain@1.2.3.4)" is the SMTP AUTH user and the peer
                    if (auto ip2 = ip_of(t.text.substr(at + 1))) {
                        if (!clues.ip) clues.ip = std::move(ip2);
                        notes.push_back("user " + std::string(t.text.substr(0, at)));
                    } else if (at + 1 == t.text.size()) {
                        notes.push_back("user " + std::string(t.text.substr(0, at)));
                    }
                }
                break;
            }
        }
    }
    // Postfix's "(Authenticated sender: u)"; Sendmail's "(authenticated bits=0)",
    // "(authenticated as u bits=0)".
    if (ifind(inner, "Authenticated sender:") || istarts_with(inner, "authenticated bits=") ||
        istarts_with(inner, "authenticated as "))
        notes.emplace_back(inner);
}

// A run of consecutive tokens, iterated as pointers like the word lists below.
class TokenRun {
  public:
    class Iter {
      public:
        explicit Iter(const Token* p) : p_(p) {}
        const Token* operator*() const { return p_; }
        Iter& operator++() {
            ++p_;
            return *this;
        }
        bool operator!=(const Iter& o) const { return p_ != o.p_; }

      private:
        const Token* p_;
    };
    TokenRun(const Token* begin, const Token* end) : begin_(begin), end_(end) {}
    void extend() { ++end_; }
    [[nodiscard]] Iter begin() const { return Iter(begin_); }
    [[nodiscard]] Iter end() const { return Iter(end_); }
    [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(end_ - begin_); }
    [[nodiscard]] bool empty() const { return begin_ == end_; }
    const Token* operator[](std::size_t k) const { return begin_ + k; }
    [[nodiscard]] const Token* front() const { return begin_; }

  private:
    const Token* begin_;
    const Token* end_;
};

template <typename Run>
std::string join_atoms(const Run& toks) {
    // Sized first: one allocation, never a regrowth.
    std::size_t size = 0;
    for (const Token* t : toks)
        if (t->kind != TokenKind::Comment) size += t->text.size() + 1;
    std::string out;
    out.reserve(size);
    for (const Token* t : toks) {
        if (t->kind == TokenKind::Comment) continue;
        if (!out.empty()) out.push_back(' ');
        out.append(t->text);
    }
    return out;
}

// In place: the joined words are the answer, no second copy.
std::string strip_angle(std::string s) {
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') {
        s.pop_back();
        s.erase(0, 1);
    }
    return s;
}

// The words of one clause: a list per thread, emptied and reused by every
// with, for and via clause of every stamp.
std::vector<const Token*>& clause_words() {
    thread_local std::vector<const Token*> words;
    words.clear();
    return words;
}

// Some broken stamps write the date without the ';'. Find a time of day
// among the atoms and take the date from a few atoms before it.
bool is_iso_day(std::string_view t) {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
    for (std::size_t k : {0, 1, 2, 3, 5, 6, 8, 9})
        if (t[k] < '0' || t[k] > '9') return false;
    return true;
}

std::optional<std::size_t> find_unsemicoloned_date(const std::vector<Token>& toks) {
    for (std::size_t i = 0; i < toks.size(); ++i) {
        const auto& t = toks[i].text;
        // HH:MM:SS, with fractional seconds up to nanoseconds.
        if (toks[i].kind != TokenKind::Atom || t.size() < 5 || t.size() > 18) continue;
        if (!(t[0] >= '0' && t[0] <= '9') || t.find(':') == std::string_view::npos) continue;
        if (t.find('@') != std::string_view::npos || std::count(t.begin(), t.end(), ':') != 2) continue;
        // Go's time format, as SendGrid's filters write it after the id:
        // "2019-12-05 03:30:12.278306733 +0000 UTC m=+25522.916850060".
        if (i >= 1 && toks[i - 1].kind == TokenKind::Atom && is_iso_day(toks[i - 1].text)) return i - 1;
        if (i < 3) return std::nullopt;
        std::size_t start = i - 3;
        if (start > 0 && toks[start - 1].kind == TokenKind::Atom && toks[start - 1].text.size() == 4 &&
            toks[start - 1].text.back() == ',')
            --start;
        return start;
    }
    return std::nullopt;
}

bool holds_nothing(const ReceivedFields& r) {
    return !r.from.host && !r.from.helo && !r.from.rdns && !r.from.ip && !r.by.host && !r.by.ip && !r.with && !r.id &&
           !r.for_ && !r.via && !r.tls && !r.mta && !r.time && !r.date_text && r.notes.empty() && r.anomalies.empty() &&
           r.raw.empty();
}

}  // namespace

ReceivedFields parse_received(std::string_view raw_value) {
    ReceivedFields r;
    parse_received(raw_value, r);
    return r;
}

void parse_received(std::string_view raw_value, ReceivedFields& r) {
    // The trace builder hands a new hop's fields: nothing to replace there.
    if (!holds_nothing(r)) r = ReceivedFields{};
    std::string_view value = raw_value;
    bool truncated = false;
    if (value.size() > limits::max_field_bytes) {
        value = value.substr(0, limits::max_field_bytes);
        truncated = true;
    }
    r.raw = unfold_collapsed(value);
    if (truncated)
        r.anomalies.push_back({"field-truncated", "Received field of " + std::to_string(raw_value.size()) +
                                                      " bytes; only the first " +
                                                      std::to_string(limits::max_field_bytes) + " were parsed"});

    // Reused per thread: its token list keeps its capacity between stamps.
    thread_local ReceivedTokens lexed;
    tokenize_received(r.raw, lexed);
    if (lexed.unterminated) r.anomalies.push_back({"unbalanced", "a comment, quote or [literal] is not closed"});
    if (lexed.depth_exceeded)
        r.anomalies.push_back(
            {"comment-depth", "comments nested deeper than " + std::to_string(limits::max_comment_depth) + " levels"});

    std::vector<Token>& toks = lexed.tokens;
    // Views into r.raw, which is already unfolded and collapsed.
    std::string_view date_text = lexed.date;
    if (!lexed.has_semicolon && lexed.unterminated) {
        // An unclosed comment swallowed the ';': a person still reads the
        // date after the last ';' of the text.
        if (auto semi = r.raw.rfind(';'); semi != std::string::npos)
            date_text = std::string_view(r.raw).substr(semi + 1);
    } else if (!lexed.has_semicolon) {
        if (auto at = find_unsemicoloned_date(toks)) {
            const char* begin = toks[*at].text.data();
            date_text = std::string_view(begin, static_cast<std::size_t>(r.raw.data() + r.raw.size() - begin));
            toks.resize(*at);
            r.anomalies.push_back({"missing-semicolon", "the date is not separated by ';'"});
        }
    }

    // Group top-level tokens into clauses: each clause is the run of tokens
    // after its keyword, a view into toks.
    struct Group {
        Clause clause;
        TokenRun toks;
    };
    thread_local std::vector<Group> groups;
    groups.clear();
    const Token* const first_token = toks.data();
    const Token* const last_token = toks.data() + toks.size();
    groups.push_back({Clause::None, {first_token, first_token}});
    for (const Token* t = first_token; t != last_token; ++t) {
        Clause c = clause_of(*t);
        if (c != Clause::None)
            groups.push_back({c, {t + 1, t + 1}});
        else
            groups.back().toks.extend();
    }

    TlsFinder tls;
    std::vector<std::string>& notes = r.notes;
    bool exim_style = false;
    bool seen[7] = {};
    bool any_clause = false;

    // First pass over every comment: TLS and the software that wrote the
    // stamp. What each comment was is kept for the clauses below.
    enum : unsigned char { kTlsComment = 1, kMtaComment = 2 };
    thread_local std::vector<unsigned char> comment_kind;
    comment_kind.assign(toks.size(), 0);
    auto kind_of = [&](const Token* t) { return comment_kind[static_cast<std::size_t>(t - toks.data())]; };
    for (std::size_t k = 0; k < toks.size(); ++k) {
        const Token& t = toks[k];
        if (t.kind != TokenKind::Comment) continue;
        if (tls.from_comment(t.text)) {
            comment_kind[k] = kTlsComment;
            continue;
        }
        if (auto m = mta_from_comment(t.text)) {
            comment_kind[k] = kMtaComment;
            if (!r.mta) r.mta = std::move(m);
        }
    }

    for (const Group& g : groups) {
        auto idx = static_cast<std::size_t>(g.clause);
        if (g.clause != Clause::None) {
            any_clause = true;
            if (seen[idx]) {
                notes.push_back("repeated clause: " + join_atoms(g.toks));
                continue;
            }
            seen[idx] = true;
        }
        switch (g.clause) {
            case Clause::None:
                for (const Token* t : g.toks) {
                    notes.emplace_back(t->text);
                    if (t->kind == TokenKind::Comment && istarts_with(t->text, "qmail ")) r.mta = "qmail";
                }
                break;
            case Clause::From: {
                SenderClues clues;
                const Token* first = nullptr;
                for (const Token* t : g.toks) {
                    if (first == nullptr && t->kind != TokenKind::Comment) {
                        first = t;
                        continue;
                    }
                    if (t->kind == TokenKind::Comment) {
                        std::string_view c = t->text;
                        if (istarts_with(c, "using ") || keyed_value(c, "version=")) continue;  // TLS, read above
                        if (ifind(c, "rhost-flags")) r.mta = "ZMailer";
                        read_sender_comment(c, clues, notes, 0);
                    } else if (t->kind == TokenKind::Literal) {
                        if (auto ip = ip_from_literal(t->text); ip && !clues.ip) clues.ip = std::move(ip);
                    } else {
                        notes.emplace_back(t->text);
                    }
                }
                if (first != nullptr) {
                    std::string_view name = first->text;
                    auto literal_ip = ip_from_literal(name);
                    if (first->kind == TokenKind::Literal) {
                        // Exim "[IP] (helo=NAME)": the literal is the peer; otherwise the
                        // client said HELO [literal].
                        if (!clues.helo_form) r.from.helo = std::string(name);
                        if (!clues.ip) clues.ip = std::move(literal_ip);
                    } else if (literal_ip) {
                        // A bare address first: the client's HELO where a
                        // comment names the peer apart ("from 192.0.2.1
                        // (unknown [192.0.2.1])"), else the client's address
                        // itself (SquirrelMail's "from 192.0.2.1 (SquirrelMail
                        // authenticated user ...)", qmail-scanner's).
                        if (clues.rdns_form || clues.helo_form || clues.ip) r.from.helo = std::string(name);
                        if (!clues.ip) clues.ip = std::move(literal_ip);
                    } else if (clues.rdns_form) {
                        if (!is_unknown(name)) r.from.helo = clean_host(name);
                    } else if (clues.helo_form) {
                        if (!is_unknown(name))
                            r.from.rdns = clean_host(name);
                        else
                            r.from.rdns_unknown = true;  // qmail: "from unknown (HELO name) (IP)"
                    } else {
                        if (!is_unknown(name)) r.from.helo = clean_host(name);
                        exim_style = true;  // settled below once `with` is known
                    }
                }
                if (clues.rdns_unknown && !clues.rdns) r.from.rdns_unknown = true;
                if (clues.rdns) r.from.rdns = std::move(clues.rdns);
                if (clues.helo) r.from.helo = std::move(clues.helo);
                r.from.ip = std::move(clues.ip);
                if (!exim_style) break;
                exim_style = false;
                // "from NAME ([IP])": Exim writes this when HELO equals the
                // verified host name. Exim alone writes lowercase protocols.
                for (const Group& w : groups) {
                    if (w.clause != Clause::With || w.toks.empty()) continue;
                    std::string_view p = w.toks.front()->text;
                    exim_style = p == "esmtp" || p == "esmtps" || p == "esmtpa" || p == "esmtpsa" || p == "smtp" ||
                                 p == "smtps" || p == "asmtp";
                }
                if (exim_style && r.from.helo && r.from.ip) r.from.rdns = r.from.helo;
                break;
            }
            case Clause::By: {
                bool first = true;
                // indimail's "by host email.example.jp": the word "host" names no host.
                const Token* host_word = nullptr;
                {
                    const Token* words[2] = {nullptr, nullptr};
                    std::size_t n = 0;
                    for (const Token* t : g.toks)
                        if (t->kind != TokenKind::Comment && n < 2) words[n++] = t;
                    if (n == 2 && iequals(words[0]->text, "host") && words[1]->kind == TokenKind::Atom &&
                        words[1]->text.find('.') != std::string_view::npos)
                        host_word = words[0];
                }
                // Microsoft SMTPSVC (IIS): "by HOST over TLS secured channel with
                // Microsoft SMTPSVC(...)": TLS, no version named.
                std::size_t secured_at = g.toks.size();
                for (std::size_t k = 0; k + 4 <= g.toks.size() && secured_at == g.toks.size(); ++k)
                    if (iequals(g.toks[k]->text, "over") && iequals(g.toks[k + 1]->text, "TLS") &&
                        iequals(g.toks[k + 2]->text, "secured") && iequals(g.toks[k + 3]->text, "channel")) {
                        tls.get();
                        secured_at = k;
                    }
                for (std::size_t k = 0; k < g.toks.size(); ++k) {
                    const Token* t = g.toks[k];
                    if (t == host_word) continue;
                    if (k == secured_at) {
                        k += 3;  // the four words, said by the TLS column
                        continue;
                    }
                    if (t->kind == TokenKind::Comment) {
                        if (tls.tls && (istarts_with(t->text, "using ") || keyed_value(t->text, "version="))) continue;
                        thread_local std::vector<Token> inner;
                        tokenize_comment(t->text, inner);
                        bool used = false;
                        for (const auto& it : inner) {
                            if ((it.kind == TokenKind::Literal || it.kind == TokenKind::Atom) && !r.by.ip)
                                if (auto ip = ip_from_literal(it.text)) {
                                    r.by.ip = std::move(ip);
                                    used = true;
                                }
                        }
                        // The first pass asked only non-TLS comments about the MTA; a
                        // TLS one can name it too ("Exim 4.96 (TLS: ...)"): ask it now.
                        if (!used && (kind_of(t) & kMtaComment) == 0 &&
                            ((kind_of(t) & kTlsComment) == 0 || !mta_from_comment(t->text)))
                            notes.emplace_back(t->text);
                        continue;
                    }
                    if (first) {
                        first = false;
                        if (auto ip = ip_from_literal(t->text))
                            r.by.ip = std::move(ip);
                        else
                            r.by.host = clean_host(t->text);
                    } else if (t->kind == TokenKind::Literal && !r.by.ip && (r.by.ip = ip_from_literal(t->text))) {
                        // "by HOST [10.0.50.174:2525]" (Amazon's Farcaster): its address.
                    } else {
                        notes.emplace_back(t->text);
                    }
                }
                break;
            }
            case Clause::With: {
                std::vector<const Token*>& words = clause_words();
                for (std::size_t k = 0; k < g.toks.size(); ++k) {
                    const Token* t = g.toks[k];
                    if (t->kind == TokenKind::Comment) {
                        // The first pass read every TLS comment already (its answer is the same now).
                        if ((kind_of(t) & kTlsComment) == 0) {
                            if ((kind_of(t) & kMtaComment) == 0 && !keyed_value(t->text, "version="))
                                notes.emplace_back(t->text);
                        }
                        continue;
                    }
                    // IronPort: "with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384"
                    if (auto slash = t->text.find("/TLS/"); slash != std::string_view::npos) {
                        tls.set_cipher(t->text.substr(slash + 5));
                        words.push_back(t);
                        continue;
                    }
                    // MessageLabs: "with ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP"
                    if (iequals(t->text, "encrypted") && k > 0 && g.toks[k - 1]->kind == TokenKind::Atom &&
                        g.toks[k - 1]->text.find('-') != std::string_view::npos)
                        tls.set_cipher(g.toks[k - 1]->text);
                    // Exim 4.9x: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384"
                    if (iequals(t->text, "tls") && k + 1 < g.toks.size() && g.toks[k + 1]->kind == TokenKind::Atom) {
                        tls.set_cipher(g.toks[k + 1]->text);
                        ++k;
                        continue;
                    }
                    words.push_back(t);
                }
                if (!words.empty()) r.with = join_atoms(words);
                break;
            }
            case Clause::Id:
                for (const Token* t : g.toks) {
                    if (t->kind != TokenKind::Comment && !r.id)
                        r.id = std::string(t->text);
                    else
                        notes.emplace_back(t->text);
                }
                break;
            case Clause::For: {
                std::vector<const Token*>& words = clause_words();
                for (const Token* t : g.toks) {
                    if (t->kind == TokenKind::Comment)
                        notes.emplace_back(t->text);
                    else
                        words.push_back(t);
                }
                if (!words.empty()) r.for_ = strip_angle(join_atoms(words));
                break;
            }
            case Clause::Via: {
                std::vector<const Token*>& words = clause_words();
                for (const Token* t : g.toks)
                    if (t->kind != TokenKind::Comment)
                        words.push_back(t);
                    else
                        notes.emplace_back(t->text);
                if (!words.empty()) r.via = join_atoms(words);
                break;
            }
        }
    }

    // Exim: "from USER by HOST with local" names a local user, not a client.
    if (r.with && *r.with == "local" && r.from.helo && !r.from.ip && !r.from.rdns) {
        notes.push_back("local user " + *r.from.helo);
        r.from.helo.reset();
    }
    r.from.host = r.from.rdns ? r.from.rdns : r.from.helo;
    if (r.with) {
        std::string_view w = *r.with;
        // Each of them ends in "S" or "SA".
        char tail = w.empty() ? '\0' : static_cast<char>(w.back() | 0x20);
        if (tail == 's' || tail == 'a')
            for (auto p : kTlsProtocols)
                if (iequals(w, p)) tls.get();
        if (istarts_with(w, "Microsoft SMTP Server"))
            r.mta = "Microsoft SMTP Server";
        else if (istarts_with(w, "Microsoft SMTPSVC"))
            r.mta = "Microsoft SMTPSVC";
    }
    // IBM's gateway writes its TLS comment after the ';', before the date:
    // "...; (version=TLSv1/SSLv3 cipher=AES128-GCM-SHA256 bits=128/128) Wed, 8 Mar 2017 ...".
    for (std::string_view rest = date_text; !tls.tls;) {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (rest.empty() || rest.front() != '(') break;
        auto close = rest.find(')');
        if (close == std::string_view::npos) break;
        tls.from_comment(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
    }
    r.tls = std::move(tls.tls);
    // One form for every dialect's version: "1.2", or "unknown" where the
    // stamp says TLS but no single version.
    if (r.tls) {
        std::string_view v = r.tls->version ? std::string_view(*r.tls->version) : std::string_view();
        r.tls->version = std::string(normalise_tls_version(v));
    }
    // Comment-only stamps are real (qmail's "(qmail 123 invoked by uid 89)");
    // bare words without any clause are not.
    if (!any_clause && std::ranges::any_of(toks, [](const Token& t) {
            return t.kind == TokenKind::Atom || t.kind == TokenKind::Literal;
        }))
        r.anomalies.push_back({"unparsable-received", "no from/by/with clause found"});

    while (!date_text.empty() && date_text.front() == ' ') date_text.remove_prefix(1);
    while (!date_text.empty() && date_text.back() == ' ') date_text.remove_suffix(1);
    if (!date_text.empty()) r.date_text = std::string(date_text);
    if (date_text.empty()) {
        r.anomalies.push_back({"missing-date", "the stamp has no date"});
    } else {
        ParsedDate d = parse_date(date_text);
        r.time = d.time;
        for (auto& a : d.anomalies) r.anomalies.push_back(std::move(a));
    }
}

}  // namespace hopscope
