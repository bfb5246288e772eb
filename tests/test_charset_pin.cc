#define BOOST_TEST_MODULE charset_pin
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "base/charset_pin.hh"
#include "base/gmime_text.hh"

using namespace hopscope;

namespace {

bool module_mapped(const std::string& file) {
    std::ifstream maps("/proc/self/maps");
    std::string all((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
    return all.find("/gconv/" + file) != std::string::npos;
}

}  // namespace

// glibc unloads a converter a few conversions after its last descriptor
// closes; decoding through GMime must not, or a mixed-charset mailbox loads
// the same modules hundreds of times.
BOOST_AUTO_TEST_CASE(a_decoded_charset_stays_loaded_while_others_come_and_go) {
    BOOST_TEST(decode_header_text("=?ISO-8859-2?Q?=A3=F3d=BC?=") == "\xC5\x81\xC3\xB3\x64\xC5\xBA");  // Łódź
    BOOST_TEST(module_mapped("ISO8859-2.so"));
    const char* others[] = {
        "=?KOI8-R?B?8NLJ18XU?=",  "=?ISO-8859-7?Q?=E1?=",  "=?EUC-KR?B?x9GxuQ==?=", "=?ISO-8859-5?Q?=B0?=",
        "=?windows-1251?Q?=C0?=", "=?ISO-8859-15?Q?=A4?=", "=?ISO-8859-9?Q?=DD?=",  "=?ISO-8859-4?Q?=A1?="};
    for (int round = 0; round < 3; ++round)
        for (const char* word : others) BOOST_TEST(!decode_header_text(word).empty());
    BOOST_TEST(module_mapped("ISO8859-2.so"));
    BOOST_TEST(module_mapped("KOI8-R.so"));
}

BOOST_AUTO_TEST_CASE(hostile_names_are_harmless) {
    keep_charset_loaded("");
    keep_charset_loaded(std::string(5000, 'x'));
    keep_encoded_word_charsets_loaded("=?");
    keep_encoded_word_charsets_loaded("=?no-such-charset?Q?x?= =?=?=?");
    for (int i = 0; i < 1000; ++i) keep_charset_loaded("bogus-" + std::to_string(i));
    keep_charset_loaded("ISO-8859-3");  // past the cap: ignored, still no harm
    BOOST_TEST(decode_header_text("=?ISO-8859-3?Q?=A1?=") == "\xC4\xA6");
}

// Decodings are remembered per thread: asked again, short, long or past
// what is kept, a text decodes the same, and texts that differ only after
// what a hash might look at are kept apart.
BOOST_AUTO_TEST_CASE(remembered_decodings_are_the_same_decodings) {
    const std::string word = "=?ISO-8859-2?Q?=A3=F3d=BC?=";
    for (std::size_t size : {std::size_t{0}, std::size_t{3000}, std::size_t{1} << 21}) {
        std::string text = std::string(size, 'a') + " " + word;
        std::string first = decode_header_text(text);
        BOOST_TEST(first.size() == (size == 0 ? 7 : size + 8));  // "Łódź" is 7 bytes
        BOOST_TEST(decode_header_text(text) == first);
        text.back() = '!';  // no longer an encoded word
        BOOST_TEST(decode_header_text(text).ends_with("=BC?!"));
    }
}
