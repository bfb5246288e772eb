// Whether bytes are an e-mail message at all: a file of another kind (a PDF,
// an image, an archive) is named by its magic number, and a text whose
// "Name: value" lines hold no mail header field is no message either (a
// PDF's trailer, a config file). Pure: bytes in, an answer out.
#pragma once

#include <optional>
#include <string_view>

#include "input/header_block.hh"

namespace hopscope {

// "PDF", "PNG", "JPEG", "GIF", "ZIP archive (or an Office document)", ...
// when the bytes start with that format's signature; nullopt otherwise.
std::optional<std::string_view> non_mail_format(std::string_view bytes);

// True when the field name is one mail carries: the RFC 5322 and 5321
// fields, MIME's, the trace and authentication stamps (Received,
// Authentication-Results, ARC-*, DKIM-Signature, Received-SPF, X-Received)
// and Exchange's X-MS-Exchange-*, X-Forefront-* and X-Microsoft-Antispam*.
bool is_mail_field(std::string_view name);

// True when any field of the block is a mail field.
bool has_mail_field(const HeaderBlock& block);

}  // namespace hopscope
