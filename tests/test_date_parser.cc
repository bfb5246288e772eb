#define BOOST_TEST_MODULE date_parser
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(placeholder_to_replace) { BOOST_TEST(true); }
