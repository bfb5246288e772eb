#include "classify/network.hh"

#include <algorithm>
#include <charconv>

#include "parse/ip_address.hh"

namespace hopscope {

std::optional<Network> Network::parse(std::string_view cidr) {
    Network n;
    n.text_ = std::string(cidr);
    std::string_view addr = cidr;
    auto slash = cidr.find('/');
    if (slash != std::string_view::npos) addr = cidr.substr(0, slash);
    if (!ip_bytes(addr, n.v6_, n.bytes_)) return std::nullopt;
    int max = n.v6_ ? 128 : 32;
    n.prefix_ = max;
    if (slash != std::string_view::npos) {
        auto p = cidr.substr(slash + 1);
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n.prefix_);
        if (ec != std::errc() || ptr != p.data() + p.size() || n.prefix_ < 0 || n.prefix_ > max) return std::nullopt;
    }
    return n;
}

IpKey IpKey::parse(std::string_view ip) {
    IpKey k;
    k.valid = ip_bytes(ip, k.v6, k.bytes);
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address.
    static constexpr std::array<unsigned char, 12> mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (k.valid && k.v6 && std::equal(mapped.begin(), mapped.end(), k.bytes.begin())) {
        std::copy(k.bytes.begin() + 12, k.bytes.end(), k.bytes.begin());
        std::fill(k.bytes.begin() + 4, k.bytes.end(), 0);
        k.v6 = false;
    }
    return k;
}

bool Network::contains(const IpKey& ip) const {
    if (!ip.valid) return false;
    bool v6 = ip.v6;
    const auto& b = ip.bytes;
    if (v6 != v6_) return false;
    int full = prefix_ / 8;
    for (int i = 0; i < full; ++i)
        if (b[static_cast<std::size_t>(i)] != bytes_[static_cast<std::size_t>(i)]) return false;
    int rest = prefix_ % 8;
    if (rest == 0) return true;
    auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (b[static_cast<std::size_t>(full)] & mask) == (bytes_[static_cast<std::size_t>(full)] & mask);
}

}  // namespace hopscope
