// The fields of an HTML form posted as multipart/form-data (RFC 7578), read
// through GMime's MIME parser like any multipart body: serve's paste box and
// dropped files. Pure: the request's Content-Type and body in, fields out.
// Bounded: at most kMaxFormFields fields; a body that is no multipart gives none.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

inline constexpr std::size_t kMaxFormFields = 64;

struct FormField {
    std::string name;      // Content-Disposition's name
    std::string filename;  // and filename, for a file; empty for a text field
    std::string bytes;     // the content, transfer-decoded
};

std::vector<FormField> read_form_data(std::string_view content_type, std::string_view body);

}  // namespace hopscope
