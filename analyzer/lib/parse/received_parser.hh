// parse_received: a pure function from the text of one Received field to
// ReceivedFields. Never throws; what it does not understand it keeps as notes
// and anomalies.
#pragma once

#include <string_view>

#include "parse/received_fields.hh"

namespace hopscope {

ReceivedFields parse_received(std::string_view raw_value);
// The same, written into `r` (whatever it held is replaced): the trace
// builder parses each stamp straight into its hop, where a returned value
// would be moved member by member.
void parse_received(std::string_view raw_value, ReceivedFields& r);

}  // namespace hopscope
