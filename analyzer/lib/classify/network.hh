// IP networks (CIDR) for classification rules: parse "10.0.0.0/8",
// "2a01:111:f403::/48" or a single address, and test membership.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hopscope {

// An address parsed once, to test against many networks.
struct IpKey {
    bool valid = false;
    bool v6 = false;
    std::array<unsigned char, 16> bytes{};
    static IpKey parse(std::string_view ip);
};

class Network {
  public:
    static std::optional<Network> parse(std::string_view cidr);
    [[nodiscard]] bool contains(std::string_view ip) const { return contains(IpKey::parse(ip)); }
    [[nodiscard]] bool contains(const IpKey& ip) const;
    [[nodiscard]] const std::string& text() const { return text_; }
    [[nodiscard]] bool v6() const { return v6_; }
    [[nodiscard]] int prefix() const { return prefix_; }
    [[nodiscard]] unsigned char first_byte() const { return bytes_[0]; }

  private:
    bool v6_ = false;
    std::array<unsigned char, 16> bytes_{};
    int prefix_ = 0;
    std::string text_;
};

}  // namespace hopscope
