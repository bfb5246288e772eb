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

// Adjacent B-encoded words of one charset: a word ending in '=' padding does
// not cut off the words after it (GMime 3.2.13 read them as one base64 text).
BOOST_AUTO_TEST_CASE(padded_base64_words_keep_the_words_after_them) {
    BOOST_TEST(decode_header_text("=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=") == "Hello world");
    BOOST_TEST(decode_header_text("=?utf-8?B?YQ==?=\r\n =?UTF-8?B?Yg==?=\t=?utf-8?b?Yw==?=") == "abc");
    // A character split between the words stays whole.
    BOOST_TEST(decode_header_text("=?UTF-8?B?w6Q=?= =?UTF-8?B?w7Y=?= =?UTF-8?B?ww==?= =?UTF-8?B?vA==?=") ==
               "\xC3\xA4\xC3\xB6\xC3\xBC");  // äöü
    // Words with text between them, other charsets and Q words are as before.
    BOOST_TEST(decode_header_text("=?UTF-8?B?YWI=?= x =?UTF-8?B?ZGVm?=") == "ab x def");
    BOOST_TEST(decode_header_text("=?UTF-8?B?YWI=?= =?ISO-8859-1?B?ZGVm?=") == "abdef");
    BOOST_TEST(decode_header_text("=?UTF-8?B?YWI=?= =?UTF-8?Q?def?=") == "abdef");
    BOOST_TEST(decode_header_text("=?UTF-8?B?YWJj?= =?UTF-8?B?ZGVm?=") == "abcdef");
    // A line break an encoded word ends with is no part of the text.
    BOOST_TEST(decode_header_text("=?UTF-8?B?YWI=?= =?UTF-8?B?Ywo=?=") == "abc");
    // Broken words are left to GMime.
    BOOST_TEST(!decode_header_text("=?UTF-8?B?YWI=?= =?UTF-8?B?").empty());
    BOOST_TEST(!decode_header_text("=?UTF-8?B?=?= =?UTF-8?B?=?= =?").empty());
}
