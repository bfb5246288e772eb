// The MIME tree of a message as GMime reads it, for the readers that walk
// its parts (bounces, attached messages). Pure: bytes in, a GMime object out.
#pragma once

#include <string>
#include <string_view>

#include "base/gmime_types.hh"

namespace hopscope {

// The message's top MIME part (a multipart, a message part or a leaf), or
// none when GMime reads no part: the part of GMime's parse of the whole
// message. GMime makes an object of every header field it reads, and a
// relayed message's dozens of stamps and signatures shape no part: where
// the header block allows, GMime is given only the Content-* fields, lines
// it drops in place of the others (so the body keeps its offset, which
// decides how GMime's 4096-byte reads meet its lines), and the body. The
// other header blocks, and a message without a Content-* field, are given
// whole (mime_tree.cc says which).
gm::Object<GMimeObject> parse_mime_tree(std::string_view message);

// What parse_mime_tree gives GMime to read as a part, into `out`
// (replaced): as long as the message; false when it is read whole.
bool mime_part_bytes(std::string_view message, std::string& out);

// The top part of GMime's parse of the whole message, which parse_mime_tree
// stands in for (and falls back to).
gm::Object<GMimeObject> whole_message_tree(std::string_view message);

}  // namespace hopscope
