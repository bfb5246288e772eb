// The MIME tree of a message as GMime reads it, for the readers that walk
// its parts (bounces, attached messages). Pure: bytes in, a GMime object out.
#pragma once

#include <string_view>

#include "base/gmime_types.hh"

namespace hopscope {

// The message's top MIME part (a multipart, a message part or a leaf), or
// none when GMime reads no part. GMime is given the message's Content-*
// fields and its body: the other fields (a relayed message's dozens of
// stamps and signatures) shape no part, and GMime makes an object of every
// field it reads. A header block this splitter and GMime could end or read
// differently (a paste's preamble or indentation, a line that lost its
// indentation, white space on the blank line, a header block without one)
// is given to GMime whole, as it is.
gm::Object<GMimeObject> parse_mime_tree(std::string_view message);

// What parse_mime_tree gives GMime to read as a part: the Content-* fields
// and the body, into `out` (replaced); false when the message is read whole.
bool mime_part_bytes(std::string_view message, std::string& out);

}  // namespace hopscope
