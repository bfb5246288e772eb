#define BOOST_TEST_MODULE received_tokenizer
#include <boost/test/unit_test.hpp>

#include <string>

#include "base/limits.hh"
#include "parse/received_tokenizer.hh"

using namespace hopscope;

BOOST_AUTO_TEST_CASE(token_kinds) {
    auto t = tokenize_received("from a.example ([192.0.2.1]:25 \"EHLO x\") by <u;v@w> \"q\\\"s\" [IPv6:::1]; date");
    BOOST_REQUIRE_EQUAL(t.tokens.size(), 7U);
    BOOST_TEST((t.tokens[2].kind == TokenKind::Comment));
    BOOST_TEST(t.tokens[2].text == "[192.0.2.1]:25 \"EHLO x\"");
    BOOST_TEST(t.tokens[4].text == "<u;v@w>");
    BOOST_TEST((t.tokens[5].kind == TokenKind::Quoted));
    BOOST_TEST((t.tokens[6].kind == TokenKind::Literal));
    BOOST_TEST(t.date == " date");
}

BOOST_AUTO_TEST_CASE(nested_comments_and_escapes) {
    auto t = tokenize_received("from a (b (c \\) d) e) by f; x");
    BOOST_REQUIRE_EQUAL(t.tokens.size(), 5U);
    BOOST_TEST(t.tokens[2].text == "b (c \\) d) e");
    BOOST_TEST(!t.unterminated);
}

BOOST_AUTO_TEST_CASE(last_top_level_semicolon_wins) {
    auto t = tokenize_received("by a (x; y) id 1; for <z>; Mon, 1 Jan 2024 00:00:00 +0000");
    BOOST_TEST(t.date == " Mon, 1 Jan 2024 00:00:00 +0000");
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_bounded_and_linear) {
    std::string s =
        "from a " + std::string(100000, '(') + std::string(100000, ')') + " by b; Mon, 1 Jan 2024 00:00:00 +0000";
    auto t = tokenize_received(s);
    BOOST_TEST(t.depth_exceeded);
    BOOST_TEST(t.tokens.size() == 5U);
    BOOST_TEST(t.has_semicolon);
}

BOOST_AUTO_TEST_CASE(unterminated_pieces) {
    BOOST_TEST(tokenize_received("from a (b").unterminated);
    BOOST_TEST(tokenize_received("from a \"b").unterminated);
    BOOST_TEST(tokenize_received("from a [b").unterminated);
}

BOOST_AUTO_TEST_CASE(comment_inner_tokens_keep_semicolons) {
    auto inner = tokenize_comment("ORCPT <rfc822;x@y>; z");
    BOOST_TEST(inner.size() == 4U);
}

// Atoms are scanned sixteen bytes at a time: long atoms with every kind of
// byte inside (controls that do not end an atom, bytes past 0x7f) and every
// ending byte at every offset must split exactly where a byte-wise scan does.
BOOST_AUTO_TEST_CASE(long_atoms_end_where_a_bytewise_scan_ends_them) {
    const std::string inside = std::string("ab.-_@:=/\x01\x1f\x7f\x80\xc3\xa9\xff", 16);
    const std::string enders = std::string(" \t\r\n()\"[;<", 10);
    for (std::size_t len = 1; len < 70; ++len) {
        for (char end : enders) {
            std::string atom;
            for (std::size_t k = 0; k < len; ++k) atom.push_back(inside[(k * 7 + len) % inside.size()]);
            std::string text = atom + end + "x)";
            std::vector<Token> toks;
            tokenize_comment(text, toks);
            BOOST_REQUIRE_MESSAGE(!toks.empty(), "len " << len);
            BOOST_TEST((toks[0].kind == TokenKind::Atom));
            BOOST_TEST(toks[0].text == atom, "len " << len << " ender " << static_cast<int>(end));
        }
        std::string atom(len, 'z');
        std::vector<Token> toks;
        tokenize_comment(atom, toks);  // no ending byte at all: the atom runs to the end
        BOOST_REQUIRE_EQUAL(toks.size(), 1U);
        BOOST_TEST(toks[0].text == atom);
    }
}

// The words after a top-level ';' are passed over unread unless another
// top-level ';' follows; comments, quotes, literals and addresses there are
// still read to their ends. Tokens, date and flags must be those of a full
// read, at every length of what comes before them.
BOOST_AUTO_TEST_CASE(what_follows_a_semicolon_counts_only_before_another) {
    for (std::size_t pad = 0; pad < 40; ++pad) {
        const std::string fill(pad, 'w');
        // The tokens are views: each text outlives them.
        const std::string text = "by a; " + fill + " (c;) \"q;\" [l;] <x;y> id 7; " + fill + " Mon (d";
        auto t = tokenize_received(text);
        BOOST_REQUIRE_EQUAL(t.tokens.size(), pad > 0 ? 9U : 8U);
        const std::size_t k = pad > 0 ? 3 : 2;
        BOOST_TEST((t.tokens[k].kind == TokenKind::Comment));
        BOOST_TEST(t.tokens[k].text == "c;");
        BOOST_TEST(t.tokens[k + 1].text == "q;");
        BOOST_TEST(t.tokens[k + 2].text == "[l;]");
        BOOST_TEST(t.tokens[k + 3].text == "<x;y>");
        BOOST_TEST(t.tokens[k + 5].text == "7");
        BOOST_TEST(t.date == " " + fill + " Mon (d");
        BOOST_TEST(t.unterminated);

        const std::string quoted = "by a; " + fill + " \"x; y\" " + fill + " [z;]";
        auto last = tokenize_received(quoted);
        BOOST_TEST(last.tokens.size() == 2U);
        BOOST_TEST(last.date == " " + fill + " \"x; y\" " + fill + " [z;]");
        BOOST_TEST(!last.unterminated);

        const std::string nested = "by a; " + fill + std::string(limits::max_comment_depth + 1, '(') +
                                   std::string(limits::max_comment_depth + 1, ')');
        auto deep = tokenize_received(nested);
        BOOST_TEST(deep.depth_exceeded);
        BOOST_TEST(!deep.unterminated);
        BOOST_TEST(deep.tokens.size() == 2U);
    }
}
