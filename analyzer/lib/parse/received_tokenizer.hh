// Lexical layer of the Received grammar (RFC 5321 section 4.4 plus real
// dialects): atoms, <angle> addresses, "quoted strings", [domain literals]
// and (nested (comments)). One linear pass, no recursion, depth bounded.
#pragma once

#include <string_view>
#include <vector>

namespace hopscope {

enum class TokenKind { Atom, Quoted, Literal, Comment };

struct Token {
    TokenKind kind;
    std::string_view text;  // Quoted/Comment: inside the delimiters; Literal: with its brackets (and :port)
};

struct ReceivedTokens {
    std::vector<Token> tokens;  // before the date
    std::string_view date;      // after the last top-level ';' (empty when none)
    bool has_semicolon = false;
    bool unterminated = false;    // a comment, quote or literal ran to the end
    bool depth_exceeded = false;  // comments nested beyond limits::max_comment_depth
};

ReceivedTokens tokenize_received(std::string_view unfolded);
// The same into `result`, whose token list keeps its capacity (the parser
// reuses one per thread).
void tokenize_received(std::string_view unfolded, ReceivedTokens& result);

// Tokens inside one comment's text (one level; nested comments stay whole).
std::vector<Token> tokenize_comment(std::string_view inner);
void tokenize_comment(std::string_view inner, std::vector<Token>& out);

}  // namespace hopscope
