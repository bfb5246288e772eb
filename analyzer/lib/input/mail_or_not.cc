#include "input/mail_or_not.hh"

#include <algorithm>
#include <array>
#include <utility>

namespace hopscope {

std::optional<std::string_view> non_mail_format(std::string_view bytes) {
    using namespace std::string_view_literals;
    // File signatures (magic numbers) of what people drop where a message
    // belongs; each is at the very start of its file.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kMagic = {{
        {"%PDF-"sv, "PDF"sv},
        {"\x89PNG\r\n\x1a\n"sv, "PNG"sv},
        {"\xFF\xD8\xFF"sv, "JPEG"sv},
        {"GIF87a"sv, "GIF"sv},
        {"GIF89a"sv, "GIF"sv},
        {"PK\x03\x04"sv, "ZIP archive (or an Office document)"sv},
        {"\x1F\x8B"sv, "gzip"sv},
        {"\x7F"
         "ELF"sv,
         "ELF executable"sv},
        {"{\\rtf"sv, "RTF"sv},
        {"%!PS"sv, "PostScript"sv},
        {"Rar!\x1A\x07"sv, "RAR archive"sv},
        {"7z\xBC\xAF\x27\x1C"sv, "7-Zip archive"sv},
        {"BZh"sv, "bzip2"sv},
    }};
    for (const auto& [magic, name] : kMagic)
        if (bytes.starts_with(magic)) return name;
    return std::nullopt;
}

bool is_mail_field(std::string_view name) {
    static constexpr std::array<std::string_view, 40> kNames = {
        "Received",
        "Return-Path",
        "Date",
        "From",
        "Sender",
        "Reply-To",
        "To",
        "Cc",
        "Bcc",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Subject",
        "Comments",
        "Keywords",
        "Resent-Date",
        "Resent-From",
        "Resent-Sender",
        "Resent-To",
        "Resent-Cc",
        "Resent-Message-ID",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Delivered-To",
        "Envelope-To",
        "X-Original-To",
        "Authentication-Results",
        "DKIM-Signature",
        "Received-SPF",
        "X-Received",
        "List-Id",
        "List-Post",
        "List-Unsubscribe",
        "Precedence",
        "Thread-Topic",
        "Thread-Index",
        "X-Mailer",
        "User-Agent",
        "Importance",
    };
    if (std::ranges::any_of(kNames, [&](std::string_view n) { return iequals(name, n); })) return true;
    for (std::string_view prefix : {"ARC-", "X-MS-Exchange-", "X-Forefront-", "X-Microsoft-Antispam"})
        if (name.size() > prefix.size() && istarts_with(name, prefix)) return true;
    return false;
}

bool has_mail_field(const HeaderBlock& block) {
    return std::ranges::any_of(block.fields, [](const HeaderField& f) { return is_mail_field(f.name); });
}

}  // namespace hopscope
