// Reading Exchange Online connector and accepted-domain exports as
// PowerShell writes them (corpus/connectors/), what each form loses, and the
// refusals, each naming the line and the property.
#define BOOST_TEST_MODULE connector_config
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "input/connector_config.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

std::string connectors_file(const std::string& name) {
    return read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/connectors/" + name);
}

ConnectorConfig read_ok(const std::string& bytes, const std::string& name = "test") {
    auto c = read_connector_config(bytes, name);
    BOOST_REQUIRE_MESSAGE(c, (c ? std::string() : c.error().message));
    return *c;
}

std::string refusal(const std::string& bytes) {
    auto c = read_connector_config(bytes, "bad.txt");
    BOOST_REQUIRE_MESSAGE(!c, "read: " + bytes.substr(0, 60));
    return c.error().message;
}

bool has(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

// The 1-based line of the first occurrence of `needle`.
int line_of(const std::string& text, const std::string& needle) {
    auto at = text.find(needle);
    BOOST_REQUIRE(at != std::string::npos);
    int line = 1;
    for (std::size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
    return line;
}

// UTF-16LE with its byte-order mark, as Windows PowerShell's `>` writes.
std::string utf16le(const std::string& ascii) {
    std::string out = "\xFF\xFE";
    for (char c : ascii) {
        out.push_back(c);
        out.push_back('\0');
    }
    return out;
}

const InboundConnector& named(const ConnectorConfig& c, const std::string& name) {
    for (const auto& x : c.connectors)
        if (x.name == name) return x;
    BOOST_FAIL("no connector " + name);
    return c.connectors.front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(convertto_json_array_in_windows_powershell_layout) {
    std::string text = connectors_file("contoso-connectors.json");
    BOOST_TEST(text.starts_with("\xEF\xBB\xBF["));           // Out-File -Encoding utf8: a BOM, then the array
    BOOST_TEST(has(text, "\"SenderIPAddresses\":  [\r\n"));  // two spaces after the colon, CRLF
    ConnectorConfig c = read_ok(text, "contoso-connectors.json");
    BOOST_TEST(c.form == "json");
    BOOST_REQUIRE_EQUAL(c.connectors.size(), 2U);
    const InboundConnector& ip = c.connectors[0];
    BOOST_TEST(ip.name == "Relay and scanners by IP");
    BOOST_TEST(ip.enabled.value_or(false));
    BOOST_TEST(ip.connector_type.value_or("") == "OnPremises");
    BOOST_TEST(ip.sender_ip_addresses == std::vector<std::string>{"198.51.100.77"});
    BOOST_TEST(!ip.tls_sender_certificate_name);  // null
    BOOST_TEST(!ip.require_tls.value_or(true));
    BOOST_TEST(ip.sender_domains == std::vector<std::string>{"smtp:*;1"});
    BOOST_TEST(ip.connector_source.value_or("") == "AdminUI");
    BOOST_TEST(ip.lost.empty());
    BOOST_TEST(ip.file == "contoso-connectors.json");
    BOOST_TEST(ip.line_of("SenderIPAddresses") == line_of(text, "\"SenderIPAddresses\""));
    const InboundConnector& cert = c.connectors[1];
    BOOST_TEST(cert.name == "Relay by certificate");
    BOOST_TEST(cert.tls_sender_certificate_name.value_or("") == "*.contoso.com");
    BOOST_TEST(cert.require_tls.value_or(false));
    BOOST_TEST(cert.cloud_services_mail_enabled.value_or(false));
    BOOST_TEST(cert.sender_ip_addresses.empty());
    BOOST_TEST(cert.line > ip.line);
    BOOST_TEST(!c.accepted_domains_given);
    BOOST_REQUIRE_EQUAL(c.sources.size(), 1U);
    BOOST_TEST(c.sources[0].kind == "inbound-connectors");
    BOOST_TEST(c.sources[0].objects == 2U);
}

BOOST_AUTO_TEST_CASE(utf16_as_the_redirection_writes_it) {
    std::string text = connectors_file("contoso-connectors.json").substr(3);  // without the UTF-8 BOM
    ConnectorConfig a = read_ok(text);
    ConnectorConfig b = read_ok(utf16le(text));
    BOOST_TEST(a.connectors == b.connectors);
    BOOST_TEST(has(b.notes.front(), "UTF-16LE"));
    // Big-endian too, and an odd byte count is said.
    std::string be = "\xFE\xFF";
    for (char ch : text) {
        be.push_back('\0');
        be.push_back(ch);
    }
    BOOST_TEST(read_ok(be).connectors == a.connectors);
    BOOST_TEST(has(refusal(utf16le(text) + "x"), "odd number of bytes"));
}

BOOST_AUTO_TEST_CASE(accepted_domains_json_utf16) {
    std::string bytes = connectors_file("contoso-accepted-domains.json");
    BOOST_TEST(bytes.starts_with("\xFF\xFE"));
    ConnectorConfig c = read_ok(bytes);
    BOOST_TEST(c.connectors.empty());
    BOOST_TEST(c.accepted_domains_given);
    BOOST_REQUIRE_EQUAL(c.accepted_domains.size(), 3U);
    BOOST_TEST(c.accepted_domains[0].domain == "contoso.com");
    BOOST_TEST(c.accepted_domains[0].is_default.value_or(false));
    BOOST_TEST(c.accepted_domains[0].domain_type.value_or("") == "Authoritative");
    BOOST_TEST(c.accepted_domains[1].domain == "contoso.onmicrosoft.com");
    BOOST_TEST(c.sources[0].kind == "accepted-domains");
}

BOOST_AUTO_TEST_CASE(one_object_and_other_layouts) {
    // PowerShell 7 and ConvertTo-Json -Compress write other layouts: the same values.
    ConnectorConfig c = read_ok(
        R"({"Name":"Scanner","Enabled":true,"ConnectorType":"OnPremises","SenderIPAddresses":["203.0.113.25","198.51.100.0/24"],)"
        R"("TlsSenderCertificateName":null,"Frobnicate":{"deep":[1,{"x":2}]},"EFSkipIPs":["1.2.3.4-1.2.3.9"]})");
    BOOST_REQUIRE_EQUAL(c.connectors.size(), 1U);
    BOOST_TEST(c.connectors[0].sender_ip_addresses == (std::vector<std::string>{"203.0.113.25", "198.51.100.0/24"}));
    // A one-value list written as a string, Identity standing in for Name.
    c = read_ok("{\n  \"Identity\": \"Relay\",\n  \"SenderIPAddresses\": \"203.0.113.25\"\n}\n");
    BOOST_TEST(c.connectors[0].name == "Relay");
    BOOST_TEST(c.connectors[0].sender_ip_addresses == std::vector<std::string>{"203.0.113.25"});
    // A remote session's accepted domain: DomainName as an object.
    c = read_ok(
        R"([{"DomainName":{"SmtpDomain":{"Domain":"Contoso.com"},"Domain":"Contoso.com","IncludeSubDomains":false},)"
        R"("DomainType":"Authoritative","Default":true,"Name":"contoso.com"}])");
    BOOST_TEST(c.accepted_domains[0].domain == "contoso.com");
    // An enum written as its number: lost, not guessed.
    c = read_ok(R"({"Name":"X","ConnectorType":2,"SenderIPAddresses":["203.0.113.1"]})");
    BOOST_TEST(!c.connectors[0].connector_type);
    BOOST_REQUIRE(c.connectors[0].lost_value("ConnectorType"));
    BOOST_TEST(has(c.connectors[0].lost_value("ConnectorType")->why, "EnumsAsStrings"));
    // List elements that are objects (a remote session's IPRange at -Depth 2+): lost.
    c = read_ok(R"({"Name":"X","SenderIPAddresses":[{"LowerBound":"203.0.113.1"}]})");
    BOOST_TEST(c.connectors[0].sender_ip_addresses.empty());
    BOOST_TEST(has(c.connectors[0].lost_value("SenderIPAddresses")->why, "ConvertTo-Json -Depth 5"));
}

BOOST_AUTO_TEST_CASE(format_list_console_paste) {
    std::string text = connectors_file("contoso-connectors-fl.txt");
    BOOST_TEST(has(text, "\r\n"));
    ConnectorConfig c = read_ok(text, "fl.txt");
    BOOST_TEST(c.form == "format-list");
    BOOST_REQUIRE_EQUAL(c.connectors.size(), 5U);
    const InboundConnector& ip = named(c, "Relay and scanners by IP");
    BOOST_TEST(ip.sender_ip_addresses == std::vector<std::string>{"198.51.100.77"});
    BOOST_TEST(!ip.tls_sender_certificate_name);  // "TlsSenderCertificateName     :" with nothing after
    BOOST_TEST(ip.lost.empty());
    BOOST_TEST(ip.line_of("SenderIPAddresses") == line_of(text, "SenderIPAddresses            : {198.51.100.77}"));
    BOOST_TEST(named(c, "Relay by certificate").tls_sender_certificate_name.value_or("") == "*.contoso.com");
    BOOST_TEST(named(c, "Relay by certificate").sender_ip_addresses.empty());  // {}
    // Cut at $FormatEnumerationLimit: the four shown, and what was lost said.
    const InboundConnector& branch = named(c, "Branch office printers");
    BOOST_TEST(branch.sender_ip_addresses ==
               (std::vector<std::string>{"203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13"}));
    const LostValue* lost = branch.lost_value("SenderIPAddresses");
    BOOST_REQUIRE(lost);
    BOOST_TEST(has(lost->why, "$FormatEnumerationLimit=-1"));
    BOOST_TEST(has(lost->why, "Get-InboundConnector | ConvertTo-Json -Depth 5 > connectors.json"));
    // A list wrapped in the middle of a value onto the next line, then cut.
    const InboundConnector& partner = named(c, "Fabrikam partner (TLS)");
    BOOST_TEST(partner.connector_type.value_or("") == "Partner");
    BOOST_TEST(partner.sender_domains ==
               (std::vector<std::string>{"smtp:fabrikam.com;1", "smtp:mail.fabrikam.com;1", "smtp:eu.fabrikam.com;1",
                                         "smtp:us.fabrikam.com;1"}));
    BOOST_TEST(partner.lost_value("SenderDomains"));
    BOOST_TEST(!named(c, "Old fax gateway").enabled.value_or(true));
    BOOST_TEST(has(c.notes.front(), "prompt"));
}

BOOST_AUTO_TEST_CASE(format_list_other_shells) {
    // PowerShell 7: LF, "…" for the cut, colour sequences from a terminal copy.
    std::string text =
        "\n\x1b[32;1mName                     : \x1b[0mPrinters\n"
        "\x1b[32;1mConnectorType            : \x1b[0mOnPremises\n"
        "SenderIPAddresses        : {203.0.113.1, 203.0.113.2, 203.0.113.3, 203.0.113.4\xE2\x80\xA6}\n"
        "TlsSenderCertificateName : \n"
        "Enabled                  : False\n\n";
    ConnectorConfig c = read_ok(text);
    BOOST_REQUIRE_EQUAL(c.connectors.size(), 1U);
    BOOST_TEST(c.connectors[0].name == "Printers");
    BOOST_TEST(c.connectors[0].sender_ip_addresses.size() == 4U);
    BOOST_TEST(c.connectors[0].sender_ip_addresses.back() == "203.0.113.4");
    BOOST_TEST(c.connectors[0].lost_value("SenderIPAddresses"));
    BOOST_TEST(!c.connectors[0].enabled.value_or(true));
    // A value wrapped where the paste kept the next line's indentation only.
    text =
        "Name              : Relay\r\nConnectorType     : OnPremises\r\n"
        "SenderIPAddresses : {203.0.113.1, 203.0.113.2, 203.0.11\r\n"
        "                    3.3}\r\n";
    c = read_ok(text);
    BOOST_TEST(c.connectors[0].sender_ip_addresses ==
               (std::vector<std::string>{"203.0.113.1", "203.0.113.2", "203.0.113.3"}));
    BOOST_TEST(c.connectors[0].lost.empty());
    // CR CR LF (a CRLF text saved again as text): one line end, not a blank line between properties.
    c = read_ok(
        "Name          : Relay\r\r\nConnectorType : OnPremises\r\r\n\r\r\nName          : Other\r\r\n"
        "ConnectorType : Partner\r\r\n");
    BOOST_REQUIRE_EQUAL(c.connectors.size(), 2U);
    BOOST_TEST(c.connectors[1].line == 4);
    // Accepted domains as Format-List prints them.
    c = read_ok(
        "DomainName : contoso.com\nDomainType : Authoritative\nDefault    : True\n\n"
        "DomainName : contoso.onmicrosoft.com\nDomainType : Authoritative\nDefault    : False\n");
    BOOST_TEST(c.accepted_domains.size() == 2U);
    BOOST_TEST(c.accepted_domains[1].domain == "contoso.onmicrosoft.com");
}

BOOST_AUTO_TEST_CASE(export_csv_loses_lists) {
    std::string text = connectors_file("contoso-connectors.csv");
    BOOST_TEST(text.starts_with("#TYPE "));
    ConnectorConfig c = read_ok(text, "contoso-connectors.csv");
    BOOST_TEST(c.form == "csv");
    BOOST_REQUIRE_EQUAL(c.connectors.size(), 3U);
    const InboundConnector& ip = c.connectors[0];
    BOOST_TEST(ip.name == "Relay and scanners by IP");
    BOOST_TEST(ip.sender_ip_addresses.empty());
    const LostValue* lost = ip.lost_value("SenderIPAddresses");
    BOOST_REQUIRE(lost);
    BOOST_TEST(has(lost->why, "System.Collections.ArrayList"));
    BOOST_TEST(has(lost->why, "Get-InboundConnector | ConvertTo-Json -Depth 5 > connectors.json"));
    BOOST_TEST(ip.line == 3);  // the #TYPE line, the header, then this record
    BOOST_TEST(c.connectors[1].tls_sender_certificate_name.value_or("") == "*.contoso.com");  // scalars survive
    BOOST_TEST(c.connectors[1].require_tls.value_or(false));
    BOOST_TEST(has(c.notes.front(), "TenantInboundConnector"));
    // Without the #TYPE line, with the culture's ';', values joined by a script.
    c = read_ok(
        "\"Name\";\"ConnectorType\";\"SenderIPAddresses\";\"EFUsers\"\r\n"
        "\"Relay\";\"OnPremises\";\"203.0.113.25 198.51.100.0/24\";\"Microsoft.Exchange.Data."
        "MultiValuedProperty`1[System.String]\"\r\n");
    BOOST_TEST(c.connectors[0].sender_ip_addresses == (std::vector<std::string>{"203.0.113.25", "198.51.100.0/24"}));
    BOOST_TEST(c.connectors[0].lost.empty());  // EFUsers is not read
    c = read_ok("Name,ConnectorType,SenderIPAddresses\nRelay,OnPremises,System.String[]\n");
    BOOST_TEST(c.connectors[0].lost_value("SenderIPAddresses"));
    // A comment holding the delimiter, a quote and a line break.
    c = read_ok(
        "\"Name\",\"Comment\",\"SenderIPAddresses\"\r\n\"A\",\"x, \"\"y\"\"\r\nz\",\"203.0.113.9\"\r\n"
        "\"B\",\"\",\"203.0.113.10\"\r\n");
    BOOST_REQUIRE_EQUAL(c.connectors.size(), 2U);
    BOOST_TEST(c.connectors[1].line == 4);
    // Get-AcceptedDomain | Export-Csv -NoTypeInformation
    c = read_ok(
        "\"Name\",\"DomainName\",\"DomainType\",\"Default\"\r\n"
        "\"contoso.com\",\"Contoso.com\",\"Authoritative\",\"True\"\r\n"
        "\"contoso.onmicrosoft.com\",\"contoso.onmicrosoft.com\",\"Authoritative\",\"False\"\r\n");
    BOOST_TEST(c.accepted_domains_given);
    BOOST_REQUIRE_EQUAL(c.accepted_domains.size(), 2U);
    BOOST_TEST(c.accepted_domains[0].domain == "contoso.com");
    BOOST_TEST(c.accepted_domains[0].is_default.value_or(false));
}

BOOST_AUTO_TEST_CASE(refusals_name_line_and_property) {
    BOOST_TEST(has(refusal(""), "empty"));
    BOOST_TEST(has(refusal("  \r\n"), "empty"));
    BOOST_TEST(has(refusal("[{\"Name\": \"x\",\n \"SenderIPAddresses\": [\"1.2.3.4\"],}]"), "not valid JSON"));
    std::string m = refusal(
        "[\n  {\n    \"Name\": \"x\",\n    \"Enabled\": \"maybe\",\n    \"ConnectorType\": \"OnPremises\"\n  }\n]");
    BOOST_TEST(has(m, "bad.txt: line 4: Enabled: 'maybe' is neither True nor False"), m);
    m = refusal("{\"Name\":\"x\",\"ConnectorType\":\"OnPremises\",\"Name\":\"y\"}");
    BOOST_TEST(has(m, "Name: given twice"), m);
    m = refusal("[{\"ConnectorType\":\"OnPremises\",\"SenderIPAddresses\":[]}]");
    BOOST_TEST(has(m, "without a Name or Identity"), m);
    m = refusal("[1, 2]");
    BOOST_TEST(has(m, "element 1 of the array is not an object"), m);
    m = refusal("{\"Name\":\"x\",\"ConnectorType\":\"OnPremises\"} trailing");
    BOOST_TEST(!m.empty());
    m = refusal(
        "[{\"Name\":\"Out\",\"ConnectorType\":\"Partner\",\"SmartHosts\":[\"mx.example\"],\"RecipientDomains\":[\"*\"]}"
        "]");
    BOOST_TEST(has(m, "Get-OutboundConnector"), m);
    m = refusal("{\"Name\":\"x\",\"Colour\":\"blue\"}");
    BOOST_TEST(has(m, "neither an inbound connector"), m);
    m = refusal("Name          : x\r\nConnectorType : OnPremises\r\nthis is not a property\r\n");
    BOOST_TEST(has(m, "bad.txt: line 3: not a 'Name : value' line"), m);
    m = refusal(
        "Name                     Enabled ConnectorType\r\n----                     ------- -------------\r\n"
        "Relay                    True    OnPremises\r\n");
    BOOST_TEST(has(m, "Format-Table"), m);
    m = refusal("Name          : x\r\nConnectorType : OnPremises\r\nRequireTls    : Yes\r\n");
    BOOST_TEST(has(m, "line 3: RequireTls: 'Yes' is neither True nor False"), m);
    m = refusal("\"Name\",\"ConnectorType\",\"SenderIPAddresses\"\r\n\"a\",\"OnPremises\"\r\n");
    BOOST_TEST(has(m, "line 2: 2 fields where the header names 3"), m);
    m = refusal("\"Name\",\"ConnectorType\"\r\n\"a\",\"OnPremises\r\n");
    BOOST_TEST(has(m, "line 2: a quoted CSV field that never ends"), m);
    m = refusal("\"Name\",\"Name\"\r\n\"a\",\"b\"\r\n");
    BOOST_TEST(has(m, "line 1: Name: named twice"), m);
    m = refusal(std::string("N\0a\0m\0e\0", 8));
    BOOST_TEST(has(m, "UTF-16 without a byte-order mark"), m);
    // A message is not a configuration.
    m = refusal(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml"));
    BOOST_TEST(has(m, "bad.txt: line 1: not Get-InboundConnector or Get-AcceptedDomain output"), m);
}

BOOST_AUTO_TEST_CASE(limits) {
    std::string many = "[";
    for (std::size_t i = 0; i <= kMaxConnectorObjects; ++i)
        many += "{\"Name\":\"c\",\"ConnectorType\":\"OnPremises\"},";
    many.back() = ']';
    BOOST_TEST(has(refusal(many), "more than"));
    std::string list = "{\"Name\":\"c\",\"SenderIPAddresses\":[";
    for (std::size_t i = 0; i <= kMaxListValues; ++i) list += "\"1\",";
    list.back() = ']';
    list += "}";
    BOOST_TEST(has(refusal(list), "more than"));
    BOOST_TEST(has(refusal(std::string(kMaxConnectorFileBytes + 1, ' ')), "larger than"));
    // Many properties in one object, many records: read in linear time.
    std::string wide = "{\"Name\":\"c\",\"ConnectorType\":\"OnPremises\"";
    for (int i = 0; i < 200000; ++i) wide += ",\"P" + std::to_string(i) + "\":1";
    wide += "}";
    BOOST_TEST(read_ok(wide).connectors.size() == 1U);
    // Deep nesting is simdjson's to refuse, never a crash.
    BOOST_TEST(!refusal(std::string(5000, '[') + std::string(5000, ']')).empty());
}

BOOST_AUTO_TEST_CASE(several_files_merge) {
    ConnectorConfig c = read_ok(connectors_file("contoso-connectors.json"), "a.json");
    merge_config(c, read_ok(connectors_file("contoso-accepted-domains.json"), "b.json"));
    BOOST_TEST(c.connectors.size() == 2U);
    BOOST_TEST(c.accepted_domains.size() == 3U);
    BOOST_TEST(c.accepted_domains_given);
    BOOST_TEST(c.form == "json");
    BOOST_REQUIRE_EQUAL(c.sources.size(), 2U);
    BOOST_TEST(c.sources[1].file == "b.json");
}

// Inputs the connectors fuzzer once broke on (tools/fuzz/regressions/connectors-*).
BOOST_AUTO_TEST_CASE(fuzz_regressions_replay) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(HOPSCOPE_CORPUS_DIR) / ".." / "tools" / "fuzz" / "regressions";
    int replayed = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.path().filename().string().starts_with("connectors-")) continue;
        auto c = read_connector_config(read_file(e.path().string()), e.path().filename().string());
        BOOST_TEST((c || !c.error().message.empty()));
        ++replayed;
    }
    BOOST_TEST(replayed > 0);
}
