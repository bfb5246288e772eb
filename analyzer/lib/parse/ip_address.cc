#include "parse/ip_address.hh"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace hopscope {
namespace {

constexpr std::size_t kMaxAddressText = 64;

bool ieq_prefix(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// What a byte can be in an address: one lookup each.
enum : unsigned char { kAddress = 1, kColon = 2, kZone = 4 };
constexpr std::array<unsigned char, 256> kAddressByte = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c)
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.')
            t[static_cast<std::size_t>(c)] = kAddress;
    t[':'] = kAddress | kColon;
    t['%'] = kZone;
    return t;
}();

}  // namespace

std::string format_ipv6(const std::array<unsigned char, 16>& b) {
    // RFC 5952 as glibc's inet_ntop writes it (its sprintf per group cost
    // more than the rest of the parse): lower-case hex without leading
    // zeros, the first longest run of two or more zero groups as "::", and
    // an IPv4-mapped or -compatible address with its dotted quad. Written
    // into a buffer of the longest form's size, then copied once.
    std::array<unsigned, 8> w{};
    for (std::size_t i = 0; i < 8; ++i) w[i] = (static_cast<unsigned>(b[2 * i]) << 8) | b[2 * i + 1];
    int best = -1;
    int best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[static_cast<std::size_t>(i)] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && w[static_cast<std::size_t>(j)] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) best = -1;
    static constexpr char kHex[] = "0123456789abcdef";
    std::array<char, 48> buf{};  // "ffff:...:ffff" is 39, "::ffff:255.255.255.255" 22
    char* out = buf.data();
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            *out++ = ':';
            i += best_len - 1;
            if (i == 7) *out++ = ':';
            continue;
        }
        if (i > 0) *out++ = ':';
        // The embedded IPv4 of ::a.b.c.d and ::ffff:a.b.c.d.
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            for (std::size_t k = 12; k < 16; ++k) {
                if (k > 12) *out++ = '.';
                unsigned v = b[k];
                if (v >= 100) *out++ = static_cast<char>('0' + v / 100);
                if (v >= 10) *out++ = static_cast<char>('0' + v / 10 % 10);
                *out++ = static_cast<char>('0' + v % 10);
            }
            break;
        }
        unsigned v = w[static_cast<std::size_t>(i)];
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned digit = (v >> static_cast<unsigned>(shift)) & 0xfU;
            if (digit == 0 && !started && shift > 0) continue;
            started = true;
            *out++ = kHex[digit];
        }
    }
    return {buf.data(), static_cast<std::size_t>(out - buf.data())};
}

std::optional<std::string> normalise_ip(std::string_view text) {
    // A dotted quad, the commonest answer, is its own canonical form: read
    // at once (what the table pass below would find of it, it finds too).
    if (!text.empty() && text[0] >= '0' && text[0] <= '9' && text.size() <= 15 && read_ipv4(text))
        return std::string(text);
    if (ieq_prefix(text, "ipv6:")) text.remove_prefix(5);
    // Most tokens asked about are names: turn them away at their first
    // letter past 'f', before any copy. A zone id ("%eth0") is cut off.
    unsigned seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned kind = kAddressByte[static_cast<unsigned char>(text[i])];
        if (kind == kZone) {
            text = text.substr(0, i);
            break;
        }
        if (kind == 0) return std::nullopt;
        seen |= kind;
    }
    if (text.empty() || text.size() > kMaxAddressText) return std::nullopt;
    if ((seen & kColon) == 0) {
        // A dotted quad that reads is its own canonical form.
        if (!read_ipv4(text)) return std::nullopt;
        return std::string(text);
    }
    // An IPv6 address is read and written again: some hundreds of
    // instructions, cheaper than a memo of them (measured: a 4096-slot memo
    // missed the cache on every lookup and cost 4 % of an audit of real mail).
    std::array<char, kMaxAddressText + 1> buf{};
    std::memcpy(buf.data(), text.data(), text.size());
    std::array<unsigned char, 16> bin{};
    if (inet_pton(AF_INET6, buf.data(), bin.data()) != 1) return std::nullopt;
    return format_ipv6(bin);
}

bool read_ipv4(std::string_view text, unsigned char* out) {
    int parts = 0;
    std::size_t i = 0;
    while (i < text.size() && parts < 4) {
        std::size_t start = i;
        unsigned value = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3)
            value = value * 10 + static_cast<unsigned>(text[i++] - '0');
        std::size_t len = i - start;
        if (len == 0 || value > 255 || (len > 1 && text[start] == '0')) return false;
        if (out != nullptr) out[parts] = static_cast<unsigned char>(value);
        ++parts;
        if (parts < 4) {
            if (i >= text.size() || text[i] != '.') return false;
            ++i;
        }
    }
    return parts == 4 && i == text.size();
}

std::optional<std::string> read_ip_literal(std::string_view text) {
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view rest = text.substr(close + 1);
        // Only a port may follow the literal.
        if (!rest.empty()) {
            if (rest.front() != ':' && rest.front() != '.') return std::nullopt;
            for (char c : rest.substr(1))
                if (c < '0' || c > '9') return std::nullopt;
        }
        std::string_view inner = text.substr(1, close - 1);
        if (auto ip = normalise_ip(inner)) return ip;
        // Cellopoint's "[(172.21.131.159)]", Amazon Farcaster's
        // "[10.0.7.35:5180]" (an IPv4 address and its port).
        if (inner.size() > 2 && inner.front() == '(' && inner.back() == ')')
            return normalise_ip(inner.substr(1, inner.size() - 2));
        if (auto colon = inner.find(':'); colon != std::string_view::npos &&
                                          inner.find(':', colon + 1) == std::string_view::npos && inner[0] >= '0' &&
                                          inner[0] <= '9') {
            for (char c : inner.substr(colon + 1))
                if (c < '0' || c > '9') return std::nullopt;
            return normalise_ip(inner.substr(0, colon));
        }
        return std::nullopt;
    }
    if (auto ip = normalise_ip(text)) return ip;
    // "1.2.3.4:25" (an IPv4 address with a port); IPv6 with a port is always
    // bracketed. Only a digit starts a dotted quad: names go no further.
    if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
    if (auto colon = text.rfind(':'); colon != std::string_view::npos && text.find(':') == colon)
        return normalise_ip(text.substr(0, colon));
    return std::nullopt;
}

bool ip_bytes(std::string_view ip, bool& v6, std::array<unsigned char, 16>& out) {
    if (ip.empty() || ip.size() > 64) return false;
    out.fill(0);
    v6 = ip.find(':') != std::string_view::npos;
    // Rules are tried against every hop's addresses: IPv4 is read in place.
    if (!v6) return read_ipv4(ip, out.data());
    std::array<char, 65> buf{};
    std::copy(ip.begin(), ip.end(), buf.begin());
    return inet_pton(AF_INET6, buf.data(), out.data()) == 1;
}

bool loopback_address(std::string_view ip) {
    bool v6 = false;
    std::array<unsigned char, 16> b{};
    if (!ip_bytes(ip, v6, b)) return false;
    return v6 ? b[15] == 1 && std::all_of(b.begin(), b.begin() + 15, [](unsigned char c) { return c == 0; })
              : b[0] == 127;
}

bool site_local_address(std::string_view ip) {
    // Byte tests on the parsed address: asked for a sender of nearly every
    // hop, where nine network objects would each be tried.
    bool v6 = false;
    std::array<unsigned char, 16> b{};
    if (!ip_bytes(ip, v6, b)) return false;
    if (!v6)
        return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xF0U) == 16) || (b[0] == 192 && b[1] == 168) ||
               (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xC0U) == 64);
    bool loopback = b[15] == 1 && std::all_of(b.begin(), b.begin() + 15, [](unsigned char c) { return c == 0; });
    return loopback || (b[0] == 0xFE && (b[1] & 0xC0U) == 0x80) || (b[0] & 0xFEU) == 0xFC;
}

}  // namespace hopscope
