// A bounded memo from strings to values: a direct-mapped table of a fixed
// number of slots, the last answer for each slot kept. For the few lookups
// per hop that repeat across a mailbox (a host's rule match and its
// organisation): one hash and one compare on a hit, no node to chase, no
// growth, and an evicted answer is only computed again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

template <typename Value, std::size_t Slots = 4096>
class StringMemo {
    static_assert((Slots & (Slots - 1)) == 0, "Slots must be a power of two");

  public:
    // The remembered value for `key`, or nullptr.
    const Value* find(std::string_view key) const {
        if (slots_.empty()) return nullptr;
        const Slot& s = slots_[hash(key) & (Slots - 1)];
        return s.used && s.key == key ? &s.value : nullptr;
    }

    const Value& put(std::string_view key, Value value) {
        if (slots_.empty()) slots_.resize(Slots);
        Slot& s = slots_[hash(key) & (Slots - 1)];
        s.key.assign(key);
        s.value = std::move(value);
        s.used = true;
        return s.value;
    }

    void clear() { slots_.clear(); }

  private:
    struct Slot {
        std::string key;
        Value value{};
        bool used = false;
    };

    // Eight bytes a step, multiply and fold: spreads host names well enough
    // for a table this size, at a byte a cycle or better.
    static std::uint64_t hash(std::string_view s) {
        std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
        std::size_t i = 0;
        for (; i + 8 <= s.size(); i += 8) {
            std::uint64_t w = 0;
            std::memcpy(&w, s.data() + i, 8);
            h = (h ^ w) * 0xff51afd7ed558ccdULL;
            h ^= h >> 32;
        }
        std::uint64_t tail = 0;
        if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
        h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
        return h ^ (h >> 29);
    }

    std::vector<Slot> slots_;
};

}  // namespace hopscope
