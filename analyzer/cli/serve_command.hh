// `hopscope serve`: a page on 127.0.0.1 to paste headers into (or drop .eml
// and mbox files on) and get the HTML report, with its JSON. Boost.Beast
// parses HTTP; nothing here makes a request; Host and Origin are checked
// against the loopback names; bodies, headers, connections and slow clients
// are capped.
#pragma once

#include <string>
#include <vector>

namespace hopscope {

int run_serve(const std::vector<std::string>& args);

}  // namespace hopscope
