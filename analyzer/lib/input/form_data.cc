#include "input/form_data.hh"

#include "base/gmime_types.hh"
#include "base/utf8.hh"

namespace hopscope {
namespace {

std::string parameter(GMimeObject* object, const char* name) {
    const char* value = g_mime_object_get_content_disposition_parameter(object, name);
    return value == nullptr ? std::string() : valid_utf8_prefix(value, 1024);
}

}  // namespace

std::vector<FormField> read_form_data(std::string_view content_type, std::string_view body) {
    std::vector<FormField> out;
    if (content_type.find_first_of("\r\n") != std::string_view::npos) return out;  // one header line, never two
    gm::ensure_initialised();
    // The body as the MIME entity it is: its Content-Type, a blank line, the parts.
    std::string entity = "Content-Type: " + std::string(content_type) + "\r\n\r\n";
    entity.append(body);
    auto stream = gm::Object<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(entity.data(), entity.size()));
    auto parser = gm::Object<GMimeParser>::adopt(g_mime_parser_new_with_stream(stream.get()));
    auto root = gm::Object<GMimeObject>::adopt(g_mime_parser_construct_part(parser.get(), nullptr));
    if (!root || !GMIME_IS_MULTIPART(root.get())) return out;
    auto* multipart = GMIME_MULTIPART(root.get());
    int count = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < count && out.size() < kMaxFormFields; ++i) {
        GMimeObject* part = g_mime_multipart_get_part(multipart, i);
        if (part == nullptr || !GMIME_IS_PART(part)) continue;
        FormField f;
        f.name = parameter(part, "name");
        f.filename = parameter(part, "filename");
        f.bytes = gm::content_bytes(GMIME_PART(part));
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace hopscope
