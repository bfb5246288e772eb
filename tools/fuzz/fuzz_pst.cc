// The PST/OST walk (libpff under ours) on any bytes behind the "!BDN"
// signature: the bytes go to a memory file that libpff opens by path, and
// are read in place as serve reads an upload (PstFile::open_memory). Every
// item walked, bounded, never a crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/pst_file.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    int fd = memfd_create("pst", MFD_CLOEXEC);
    if (fd < 0) return 0;
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (!hopscope::is_pst(bytes)) bytes.insert(0, "!BDN");
    if (::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())) {
        auto pst = hopscope::PstFile::open("/proc/self/fd/" + std::to_string(fd));
        if (pst) {
            std::size_t items = 0;
            hopscope::PstWalk how;
            how.readers = 2;  // the ordered hand-over too, on the same bytes
            pst->walk(how, [&](hopscope::PstItem item) {
                if (item.headers && item.headers->size() > (std::size_t{16} << 20)) __builtin_trap();
                return ++items < 100000;
            });
        }
    }
    ::close(fd);
    // In place, one reader, stopping after the items a page shows.
    auto in_memory = hopscope::PstFile::open_memory(bytes, "upload.pst");
    if (in_memory) {
        std::size_t items = 0;
        in_memory->walk({1, 0, 21}, [&](hopscope::PstItem item) {
            if (item.headers && item.headers->size() > (std::size_t{16} << 20)) __builtin_trap();
            return ++items < 21;
        });
    }
    return 0;
}
