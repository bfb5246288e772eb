#define BOOST_TEST_MODULE received_tokenizer
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(placeholder_to_replace) { BOOST_TEST(true); }
