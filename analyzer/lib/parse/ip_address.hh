// IP address recognition and normalisation (IPv4 dotted quad, IPv6 in every
// written form, RFC 5952 output). Pure functions over text.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hopscope {

// Normalises an address as written in a Received field: accepts "1.2.3.4",
// "IPv6:2001:DB8::1", "2001:db8:0:0::1", "fe80::1%6", "::ffff:1.2.3.4",
// with surrounding brackets and a trailing ":port" or ".port" already removed
// by the caller or not. Returns nullopt when the text is not an address.
std::optional<std::string> normalise_ip(std::string_view text);

// The RFC 5952 text of a 16-byte address, exactly as glibc's inet_ntop
// writes it (::ffff:a.b.c.d and ::a.b.c.d keep their dotted quad).
std::string format_ipv6(const std::array<unsigned char, 16>& bytes);

// ip_from_literal for a text that may be an address (ip_address.cc).
std::optional<std::string> read_ip_literal(std::string_view text);

// Strips "[...]" and a ":PORT" suffix, then normalises. Most words asked are
// host names: one that starts with a letter past 'f' (other than the 'i' of
// "IPv6:") is none, told here without a call.
inline std::optional<std::string> ip_from_literal(std::string_view text) {
    if (!text.empty()) {
        // OR 0x20 brings only 'G'-'Z' and 'g'-'z' into 'g'..'z'.
        auto c = static_cast<char>(text[0] | 0x20);
        if (c >= 'g' && c <= 'z' && c != 'i') return std::nullopt;
    }
    return read_ip_literal(text);
}

// Reads a dotted quad as inet_pton(AF_INET) reads it: four decimals 0-255,
// no leading zeros, nothing else. Stores the bytes when `out` is given.
bool read_ipv4(std::string_view text, unsigned char* out = nullptr);

// 16 bytes for v6, 4 for v4 (rest zero); false when `ip` is not an address.
bool ip_bytes(std::string_view ip, bool& v6, std::array<unsigned char, 16>& out);

// 127.0.0.0/8 or ::1.
bool loopback_address(std::string_view ip);

// Loopback, private, link-local, CGNAT or unique-local: an address that only
// makes sense inside one site, so a stamp with such a sender was handed on
// inside one system.
bool site_local_address(std::string_view ip);

}  // namespace hopscope
