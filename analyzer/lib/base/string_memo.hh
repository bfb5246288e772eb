// A bounded memo from strings to values: a two-way set-associative table of
// a fixed number of slots (each key may live in either slot of its pair; the
// one used less recently is replaced). For the few lookups per hop that
// repeat across a mailbox (a host's organisation, a sender's rule match):
// one hash and at most two compares on a hit, no node to chase, no growth,
// and an evicted answer is only computed again.
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
    const Value* find(std::string_view key) {
        if (slots_.empty()) return nullptr;
        std::size_t pair = hash(key) & (Slots - 2);
        for (std::size_t i = pair; i < pair + 2; ++i) {
            Slot& s = slots_[i];
            if (s.used && s.key == key) {
                slots_[i ^ 1].recent = false;  // the other of the pair is now the older
                s.recent = true;
                return &s.value;
            }
        }
        return nullptr;
    }

    const Value& put(std::string_view key, Value value) {
        if (slots_.empty()) slots_.resize(Slots);
        std::size_t pair = hash(key) & (Slots - 2);
        Slot& a = slots_[pair];
        Slot& b = slots_[pair + 1];
        Slot& s = !a.used ? a : !b.used ? b : a.recent ? b : a;
        (&s == &a ? b : a).recent = false;
        s.key.assign(key);
        s.value = std::move(value);
        s.used = true;
        s.recent = true;
        return s.value;
    }

    void clear() { slots_.clear(); }

  private:
    struct Slot {
        std::string key;
        Value value{};
        bool used = false;
        bool recent = false;  // used last of its pair
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
