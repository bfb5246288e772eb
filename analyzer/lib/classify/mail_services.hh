// The mail-services list (analyzer/data/mail-services.txt): security
// gateways, providers, inbound MXs and mailing-list services by host,
// compiled in like the Microsoft ranges.
#pragma once

#include <string_view>

namespace hopscope {

std::string_view mail_services_text();

}  // namespace hopscope
