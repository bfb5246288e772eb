// The connector and accepted-domain readers on any bytes (ConvertTo-Json,
// Format-List, Export-Csv, any encoding), and what was read through the lint
// and the match: never a crash, every refusal says why, every finding has
// its text and sources, and the match answers for every connector.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classify/connector_lint.hh"
#include "classify/connector_match.hh"
#include "input/connector_config.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto config = hopscope::read_connector_config(in, "fuzz");
    if (!config) {
        if (config.error().message.empty()) __builtin_trap();
        return 0;
    }
    for (const auto& c : config->connectors)
        if (c.name.empty()) __builtin_trap();
    for (const auto& f : hopscope::lint_connectors(*config))
        if (f.message.empty() || f.source.empty() || f.severity.empty()) __builtin_trap();
    hopscope::EopEntry entry;
    entry.ip = "203.0.113.25";
    entry.ip_source = "CIP of X-Forefront-Antispam-Report";
    entry.helo = "relay.contoso.com";
    entry.tls = true;
    entry.envelope_domain = "contoso.com";
    entry.from_entity = "HybridOnPrem";
    auto m = hopscope::match_connectors(entry, *config);
    if (m.connectors.size() != config->connectors.size()) __builtin_trap();
    if (m.name && !m.matched_by) __builtin_trap();
    entry.ip.reset();
    entry.tls = false;
    entry.envelope_domain = "";
    entry.from_entity = "Internet";
    (void)hopscope::match_connectors(entry, *config);
    hopscope::ConnectorConfig twice = *config;
    hopscope::merge_config(twice, *config);
    (void)hopscope::lint_connectors(twice);
    return 0;
}
