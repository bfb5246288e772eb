#include "classify/organisation.hh"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/string_memo.hh"
#include "classify/network.hh"
#include "classify/public_suffix.hh"
#include "input/header_block.hh"
#include "parse/ip_address.hh"

namespace hopscope {
namespace {

bool ends_with_label(std::string_view host, std::string_view suffix) {
    return host == suffix.substr(1) ||
           (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix);
}

// The domain of the last address in a header value: a view of it.
std::optional<std::string_view> address_domain(std::string_view value) {
    // The last '@' (memrchr: a To list can run to hundreds of kilobytes).
    const void* last = value.empty() ? nullptr : memrchr(value.data(), '@', value.size());
    if (last == nullptr) return std::nullopt;
    auto rest = value.substr(static_cast<std::size_t>(static_cast<const char*>(last) - value.data()) + 1);
    std::size_t end = 0;
    while (end < rest.size()) {
        char c = rest[end];
        if (c == '>' || c == ')' || c == ' ' || c == '\t' || c == '"' || c == ',' || c == ';' || c == '?') break;
        ++end;
    }
    return rest.substr(0, end);
}

}  // namespace

namespace {

constexpr std::size_t kMaxName = 253;

// Validates and lower-cases `host` into `out` (kMaxName bytes at least):
// the length written, or 0 when the host names no organisation.
std::size_t public_name_into(std::string_view host, char* out) {
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.empty() || host.size() > kMaxName || host.front() == '[' || host.front() == '.') return 0;
    bool letter = false;
    bool dot = false;
    std::size_t last_label = 0;  // where the last label starts
    for (std::size_t i = 0; i < host.size(); ++i) {
        char c = host[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        if (!ok) return 0;  // not a DNS name: a comment, a placeholder, an address with a colon
        if (c == '.') {
            if (out[i - 1] == '.') return 0;  // an empty label
            dot = true;
            last_label = i + 1;
        }
        letter = letter || (c >= 'a' && c <= 'z');
        out[i] = c;
    }
    if (!dot || !letter) return 0;
    // A dotted quad: no top-level domain is all digits.
    bool digits = true;
    for (std::size_t i = last_label; i < host.size(); ++i) digits = digits && out[i] >= '0' && out[i] <= '9';
    if (digits) return 0;
    std::string_view name(out, host.size());
    static constexpr std::array<std::string_view, 9> kInternal = {
        ".local", ".lan", ".corp", ".internal", ".intranet", ".localdomain", ".home.arpa", ".localhost", ".invalid"};
    for (auto s : kInternal)
        if (ends_with_label(name, s)) return 0;
    if (name.starts_with("localhost.")) return 0;
    return name.size();
}

}  // namespace

std::optional<std::string> public_name(std::string_view host) {
    std::array<char, kMaxName> buf{};
    std::size_t n = public_name_into(host, buf.data());
    if (n == 0) return std::nullopt;
    return std::string(buf.data(), n);
}

bool is_public_name(std::string_view host) {
    std::array<char, kMaxName> buf{};
    return public_name_into(host, buf.data()) != 0;
}

std::optional<std::string> org_of_name(std::string_view host) {
    // Remembered per thread by the name as written: a mailbox names the same
    // hosts over and over, and a hit then costs one hash.
    // 16,384 slots: a year of real mail names a few thousand hosts and domains.
    thread_local StringMemo<std::optional<std::string>, 16384> seen;
    if (const auto* hit = seen.find(host)) return *hit;
    std::array<char, kMaxName> buf{};
    std::size_t n = public_name_into(host, buf.data());
    std::optional<std::string> org;
    if (n != 0) {
        const auto& list = PublicSuffixList::instance();
        org = list.registrable_domain(std::string_view(buf.data(), n));
        // A hosting company's own server, named by one of its customers' suffixes.
        if (!org) org = list.operator_domain(std::string_view(buf.data(), n));
    }
    return seen.put(host, std::move(org));
}

bool in_organisation(std::string_view host, std::string_view org) {
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (org.empty() || host.size() < org.size()) return false;
    std::string_view tail = host.substr(host.size() - org.size());
    return iequals(tail, org) && (host.size() == org.size() || host[host.size() - org.size() - 1] == '.');
}

std::optional<std::string> org_of_address(std::string_view value) {
    auto domain = address_domain(value);
    if (!domain) return std::nullopt;
    return org_of_name(*domain);
}

OrgHeaders OrgHeaders::of(const Trace& t) {
    OrgHeaders h;
    for (const auto& sig : t.signals) {  // the first of each name counts, as with find_signal
        std::string_view name = sig.name;
        std::optional<std::string_view>* slot = iequals(name, "Sender")           ? &h.sender
                                                : iequals(name, "Return-Path")    ? &h.return_path
                                                : iequals(name, "List-Id")        ? &h.list_id
                                                : iequals(name, "List-Post")      ? &h.list_post
                                                : iequals(name, "Mailing-List")   ? &h.mailing_list
                                                : iequals(name, "X-Mailing-List") ? &h.x_mailing_list
                                                : iequals(name, "Precedence")     ? &h.precedence
                                                : iequals(name, "List-Owner")     ? &h.list_owner
                                                : iequals(name, "List-Subscribe") ? &h.list_subscribe
                                                                                  : nullptr;
        if (slot != nullptr && !*slot) *slot = std::string_view(sig.value);
    }
    return h;
}

std::vector<std::string> sender_orgs(const Trace& t, const OrgHeaders& headers) {
    std::vector<std::string> out;
    std::array<std::string_view, 3> domains{};  // asked once each: Return-Path often repeats From
    std::size_t asked = 0;
    auto add = [&](std::string_view value) {
        auto domain = address_domain(value);
        if (!domain || std::find(domains.begin(), domains.begin() + asked, *domain) != domains.begin() + asked) return;
        domains[asked++] = *domain;
        auto org = org_of_name(*domain);
        if (org && std::find(out.begin(), out.end(), *org) == out.end()) out.push_back(std::move(*org));
    };
    if (t.from) add(*t.from);
    if (headers.sender) add(*headers.sender);
    if (headers.return_path) add(*headers.return_path);
    return out;
}

namespace {

// A Return-Path of a list's owner or bounce address, under Precedence: list or bulk.
// A list's envelope or Sender address on bulk mail: Return-Path or Sender
// with a list manager's local part (Majordomo's "Sender: owner-magick@...").
std::optional<std::string_view> list_address(const OrgHeaders& h, const std::optional<std::string_view>& address) {
    if (!address || !h.precedence) return std::nullopt;
    std::string_view p = *h.precedence;
    while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
    if (!icontains(p.substr(0, 4), "list") && !icontains(p.substr(0, 4), "bulk")) return std::nullopt;
    std::string_view v = *address;
    auto at = v.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    auto start = v.find_last_of("<: \t", at);
    std::string_view local = v.substr(start == std::string_view::npos ? 0 : start + 1,
                                      at - (start == std::string_view::npos ? 0 : start + 1));
    // ("-bounce": LISTAR's and ezmlm's rlug-bounce@lug.ro, list-return-N-…@ is ezmlm's too.)
    bool list = local.starts_with("owner-") || icontains(local, "-owner") || icontains(local, "-bounce") ||
                icontains(local, "-request") || icontains(local, "-return-");
    if (!list) return std::nullopt;
    return v;
}

std::optional<std::string_view> list_return_path(const OrgHeaders& h) {
    return list_address(h, h.return_path);
}

}  // namespace

bool OrgHeaders::list() const {
    return list_id || list_post || mailing_list || x_mailing_list || list_owner || list_subscribe ||
           list_return_path(*this) || list_address(*this, sender);
}

namespace {

// List-Id's dot-atom: "Description <list-label.example.org>" gives the part
// in angle brackets.
std::string_view list_id_atom(std::string_view v) {
    auto open = v.rfind('<');
    auto close = v.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
        v = v.substr(open + 1, close - open - 1);
    return v;
}

}  // namespace

std::optional<std::string> list_org(const OrgHeaders& headers, std::string_view* named_by) {
    if (named_by != nullptr) *named_by = {};
    if (headers.list_id) {
        std::string_view v = list_id_atom(*headers.list_id);
        if (auto org = org_of_name(v)) {
            if (named_by != nullptr) *named_by = "List-Id";
            return org;
        }
    }
    // RFC 2369's mailto: URLs ("<mailto:Majordomo@cert.org?body=help>") end at their '?'.
    const std::array<std::pair<std::string_view, std::optional<std::string_view>>, 7> sources{{
        {"List-Post", headers.list_post},
        {"Mailing-List", headers.mailing_list},
        {"X-Mailing-List", headers.x_mailing_list},
        {"List-Owner", headers.list_owner},
        {"List-Subscribe", headers.list_subscribe},
        {"Return-Path", list_return_path(headers)},
        {"Sender", list_address(headers, headers.sender)},
    }};
    for (const auto& [name, v] : sources)
        if (v)
            if (auto org = org_of_address(*v)) {
                if (named_by != nullptr) *named_by = name;
                return org;
            }
    return std::nullopt;
}

std::optional<std::string> list_host(const OrgHeaders& headers) {
    // List-Post's address: "<mailto:ocfs2-devel@oss.oracle.com>".
    if (headers.list_post) {
        std::string_view v = *headers.list_post;
        if (auto at = v.find('@'); at != std::string_view::npos) {
            std::string_view host = v.substr(at + 1);
            host = host.substr(0, host.find_first_of(">?; \t"));
            if (host.find('.') != std::string_view::npos) return std::string(host);
        }
    }
    // List-Id's dot-atom less the list's own label: "<linux-hyperv.vger.kernel.org>".
    if (headers.list_id) {
        std::string_view v = list_id_atom(*headers.list_id);
        if (auto dot = v.find('.'); dot != std::string_view::npos) {
            std::string_view host = v.substr(dot + 1);
            if (host.find('.') != std::string_view::npos) return std::string(host);
        }
    }
    return std::nullopt;
}

bool helo_only_claim(const SenderSide& f) {
    return f.rdns_unknown && !f.rdns && f.ip && !site_local_address(*f.ip);
}

std::string_view site_local_words(std::string_view ip) {
    return loopback_address(ip) ? "a loopback address" : "a site-local address";
}

}  // namespace hopscope
