#include "cli/sigbus_guard.hh"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <mutex>

namespace hopscope::sigbus_guard {
namespace {

// A fixed table the handler can read without locks: audit maps one input
// at a time, so a few slots are plenty.
struct Slot {
    std::atomic<std::uintptr_t> base{0};
    std::atomic<std::size_t> size{0};
    std::atomic<bool> faulted{false};
};
constexpr std::size_t kSlots = 16;
std::array<Slot, kSlots> slots;
std::mutex table_mutex;           // add/remove only, never the handler
std::uintptr_t page_size = 4096;  // read at install time: sysconf is not async-signal-safe
struct sigaction previous {};
std::once_flag installed;

void chain(int sig, siginfo_t* info, void* context) {
    if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
        previous.sa_sigaction(sig, info, context);
        return;
    }
    if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != nullptr) {
        previous.sa_handler(sig);
        return;
    }
    // Default action: restore it and return; the faulting read runs again and
    // this time kills the process as it would have without us.
    (void)::signal(sig, SIG_DFL);
}

void on_sigbus(int sig, siginfo_t* info, void* context) {
    auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
    for (auto& s : slots) {
        std::uintptr_t base = s.base.load();
        std::size_t size = s.size.load();
        if (base == 0 || addr < base || addr >= base + size) continue;
        std::uintptr_t page = page_size;
        std::uintptr_t from = addr / page * page;
        std::uintptr_t to = (base + size + page - 1) / page * page;
        s.faulted.store(true);  // before the zeros: whoever reads them sees the flag
        // Past the new end every page faults: zeros over all of them at once.
        void* p = ::mmap(reinterpret_cast<void*>(from), to - from, PROT_READ,  // NOLINT(performance-no-int-to-ptr)
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (p != MAP_FAILED) return;
        break;
    }
    chain(sig, info, context);
}

}  // namespace

int add(const char* base, std::size_t size) {
    if (base == nullptr || size == 0) return -1;
    std::call_once(installed, [] {
        page_size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
        struct sigaction sa {};
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGBUS, &sa, &previous);
    });
    std::lock_guard lock(table_mutex);
    for (std::size_t i = 0; i < kSlots; ++i) {
        if (slots[i].base.load() != 0) continue;
        slots[i].faulted.store(false);
        slots[i].size.store(size);
        slots[i].base.store(reinterpret_cast<std::uintptr_t>(base));
        return static_cast<int>(i);
    }
    return -1;
}

void remove(int slot) {
    if (slot < 0 || static_cast<std::size_t>(slot) >= kSlots) return;
    std::lock_guard lock(table_mutex);
    slots[static_cast<std::size_t>(slot)].base.store(0);
    slots[static_cast<std::size_t>(slot)].size.store(0);
}

bool faulted(int slot) {
    if (slot < 0 || static_cast<std::size_t>(slot) >= kSlots) return false;
    return slots[static_cast<std::size_t>(slot)].faulted.load();
}

}  // namespace hopscope::sigbus_guard
