// The PST walk (input/pst_reader, read by cli/pst_file's thread pool) on
// the shared samples: the ordered hand-over of several readers, --range,
// stopping early, and a file replaced between the opens of its readers.
// Skips cleanly without ../shared.
#define BOOST_TEST_MODULE pst_file
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/pst_file.hh"

namespace fs = std::filesystem;
namespace utf = boost::unit_test;
using namespace hopscope;

namespace {

const fs::path kPst = fs::path(HOPSCOPE_SHARED_DIR) / "corpus-ext" / "outlook" / "pst";

struct HasSamples {
    boost::test_tools::assertion_result operator()(utf::test_unit_id /*unit*/) const {
        boost::test_tools::assertion_result r{fs::is_directory(kPst)};
        r.message() << kPst.string() << " not present; skipped";
        return r;
    }
};

std::vector<PstItem> walk(const fs::path& path, PstWalk how) {
    auto pst = PstFile::open(path.string());
    BOOST_TEST_REQUIRE(static_cast<bool>(pst));
    std::vector<PstItem> items;
    pst->walk(how, [&](PstItem item) {
        items.push_back(std::move(item));
        return true;
    });
    return items;
}

// What a test compares: everything the walk gives about an item.
std::string key(const PstItem& i) {
    return std::to_string(i.index) + "|" + i.folder + "|" + std::to_string(i.id) + "|" + i.headers.value_or("-") + "|" +
           i.message_class.value_or("-") + "|" + i.error.value_or("-");
}

std::vector<std::string> keys(const std::vector<PstItem>& items) {
    std::vector<std::string> k;
    k.reserve(items.size());
    for (const auto& i : items) k.push_back(key(i));
    return k;
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("hopscope-pst-test-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace

BOOST_AUTO_TEST_CASE(readers_hand_items_on_in_walk_order, *utf::precondition(HasSamples())) {
    const fs::path ost = kPst / "Aspose.Email-for-.NET_SampleOstFile.ost";
    auto one = walk(ost, {});
    BOOST_TEST(one.size() == 92U);
    for (std::size_t i = 0; i < one.size(); ++i) BOOST_TEST(one[i].index == i);
    for (unsigned readers : {2U, 3U, 7U}) {
        PstWalk how;
        how.readers = readers;
        BOOST_TEST(keys(walk(ost, how)) == keys(one), readers << " readers");
    }
}

BOOST_AUTO_TEST_CASE(a_range_gives_its_slice, *utf::precondition(HasSamples())) {
    const fs::path ost = kPst / "Aspose.Email-for-.NET_SampleOstFile.ost";
    auto all = keys(walk(ost, {}));
    for (unsigned readers : {1U, 2U, 3U}) {
        for (auto [from, to] :
             {std::pair<std::uint64_t, std::uint64_t>{0, 1}, {5, 9}, {40, 92}, {90, 1000}, {7, 7}, {200, 300}}) {
            PstWalk how{readers, from, to};
            std::vector<std::string> want(all.begin() + static_cast<long>(std::min<std::uint64_t>(from, all.size())),
                                          all.begin() + static_cast<long>(std::min<std::uint64_t>(to, all.size())));
            BOOST_TEST(keys(walk(ost, how)) == want, readers << " readers, " << from << ":" << to);
        }
    }
}

BOOST_AUTO_TEST_CASE(on_item_can_stop_the_walk, *utf::precondition(HasSamples())) {
    const fs::path ost = kPst / "Aspose.Email-for-.NET_SampleOstFile.ost";
    for (unsigned readers : {1U, 3U}) {
        auto pst = PstFile::open(ost.string());
        BOOST_TEST_REQUIRE(static_cast<bool>(pst));
        std::size_t seen = 0;
        PstWalk how;
        how.readers = readers;
        bool finished = pst->walk(how, [&](const PstItem&) { return ++seen < 10; });
        BOOST_TEST(!finished);
        BOOST_TEST(seen == 10U);
    }
}

// The extra readers open the path again when the walk starts: a file
// replaced after the first open gives them another tree. The walk ends, and
// says so in a last item, instead of hanging or mixing the files silently.
namespace {

// Walks `first` under two readers, replaced by `second` after its open.
std::vector<PstItem> walk_replaced(const fs::path& first, const fs::path& second) {
    TempDir dir;
    const fs::path path = dir.path / "mailbox.pst";
    fs::copy_file(first, path);
    auto pst = PstFile::open(path.string());
    BOOST_TEST_REQUIRE(static_cast<bool>(pst));
    fs::copy_file(second, dir.path / "other.pst");
    fs::rename(dir.path / "other.pst", path);  // the first handle keeps the old file open
    std::vector<PstItem> items;
    PstWalk how;
    how.readers = 2;
    pst->walk(how, [&](PstItem item) {
        items.push_back(std::move(item));
        return true;
    });
    return items;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_file_replaced_under_the_readers_is_said, *utf::precondition(HasSamples())) {
    auto items = walk_replaced(kPst / "Aspose.Email-for-.NET_SampleOstFile.ost", kPst / "tika_testPST.pst");
    BOOST_TEST_REQUIRE(!items.empty());
    BOOST_TEST(items.size() <= 93U);
    BOOST_TEST(items.back().error.value_or("").find("the file changed while it was read") != std::string::npos);
}

// Two files of 18 items each, with different node ids: the counts agree,
// the trees do not.
BOOST_AUTO_TEST_CASE(a_file_replaced_by_one_of_the_same_size_is_said, *utf::precondition(HasSamples())) {
    auto items =
        walk_replaced(kPst / "Aspose.Email-for-.NET_test.ost", kPst / "Aspose.Email-for-.NET_passwordprotectedPST.pst");
    BOOST_TEST_REQUIRE(items.size() == 19U);
    BOOST_TEST(items.back().error.value_or("").find("saw different items") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_damaged_or_missing_file_is_an_error, *utf::precondition(HasSamples())) {
    BOOST_TEST(!PstFile::open((kPst / "Aspose.Email-for-.NET_Outlook1.pst").string()));
    BOOST_TEST(!PstFile::open((kPst / "no-such-file.pst").string()));
}

// An upload held in memory (serve) walks as the file does; a short or
// damaged one is an error naming the upload, whatever its length.
BOOST_AUTO_TEST_CASE(a_file_in_memory_walks_as_the_file, *utf::precondition(HasSamples())) {
    const fs::path ost = kPst / "Aspose.Email-for-.NET_SampleOstFile.ost";
    std::ifstream in(ost, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto pst = PstFile::open_memory(bytes, "upload.ost");
    BOOST_TEST_REQUIRE(static_cast<bool>(pst));
    std::vector<PstItem> items;
    pst->walk({}, [&](PstItem item) {
        items.push_back(std::move(item));
        return true;
    });
    BOOST_TEST(keys(items) == keys(walk(ost, {})));
    for (std::size_t size : {std::size_t{4}, std::size_t{600}, bytes.size() / 2}) {
        auto cut = PstFile::open_memory(std::string_view(bytes).substr(0, size), "cut.ost");
        if (cut) {  // a half that opens still walks without a crash
            cut->walk({}, [](const PstItem&) { return true; });
        } else {
            BOOST_TEST(cut.error().message.starts_with("cut.ost: "), cut.error().message);
        }
    }
}
