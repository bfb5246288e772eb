#define BOOST_TEST_MODULE received_tokenizer
#include <boost/test/unit_test.hpp>

#include <string>

#include "limits.hh"
#include "received_tokenizer.hh"

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
