// A strict JSON syntax checker for tests (RFC 8259, UTF-8 validated), so the
// suites need no JSON library to prove the output parses.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/utf8.hh"

class JsonCheck {
  public:
    static bool valid(std::string_view s) {
        if (!hopscope::is_valid_utf8(s)) return false;
        JsonCheck c{s};
        c.ws();
        if (!c.value(0)) return false;
        c.ws();
        return c.i == s.size();
    }

  private:
    explicit JsonCheck(std::string_view s) : s(s) {}
    std::string_view s;
    std::size_t i = 0;

    bool eat(char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
    }
    bool lit(std::string_view w) {
        if (s.substr(i, w.size()) != w) return false;
        i += w.size();
        return true;
    }
    bool string() {
        if (!eat('"')) return false;
        while (i < s.size()) {
            auto c = static_cast<unsigned char>(s[i++]);
            if (c == '"') return true;
            if (c < 0x20) return false;
            if (c == '\\') {
                if (i >= s.size()) return false;
                char e = s[i++];
                if (e == 'u') {
                    for (int k = 0; k < 4; ++k, ++i)
                        if (i >= s.size() || !isxdigit(static_cast<unsigned char>(s[i]))) return false;
                } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
                    return false;
                }
            }
        }
        return false;
    }
    bool number() {
        std::size_t start = i;
        eat('-');
        while (i < s.size() && (isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == 'e' ||
                                s[i] == 'E' || s[i] == '+' || s[i] == '-'))
            ++i;
        return i > start;
    }
    bool value(int depth) {
        if (depth > 200) return false;
        ws();
        if (i >= s.size()) return false;
        char c = s[i];
        if (c == '{') {
            ++i;
            ws();
            if (eat('}')) return true;
            do {
                ws();
                if (!string()) return false;
                ws();
                if (!eat(':')) return false;
                if (!value(depth + 1)) return false;
                ws();
            } while (eat(','));
            return eat('}');
        }
        if (c == '[') {
            ++i;
            ws();
            if (eat(']')) return true;
            do {
                if (!value(depth + 1)) return false;
                ws();
            } while (eat(','));
            return eat(']');
        }
        if (c == '"') return string();
        if (c == 't') return lit("true");
        if (c == 'f') return lit("false");
        if (c == 'n') return lit("null");
        return number();
    }
};
