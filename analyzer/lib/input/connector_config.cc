#include "input/connector_config.hh"

#include <simdjson.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <array>

#include "base/utf8.hh"
#include "input/header_block.hh"  // iequals

namespace hopscope {

int InboundConnector::line_of(std::string_view property) const {
    for (const auto& [p, l] : where)
        if (iequals(p, property)) return l;
    return line;
}

const LostValue* InboundConnector::lost_value(std::string_view property) const {
    for (const auto& l : lost)
        if (iequals(l.property, property)) return &l;
    return nullptr;
}

namespace {

namespace od = simdjson::ondemand;

enum class Form { Json, FormatList, Csv };

std::string_view form_name(Form f) {
    switch (f) {
        case Form::Json:
            return "json";
        case Form::FormatList:
            return "format-list";
        case Form::Csv:
            return "csv";
    }
    return "json";
}

// A property value as its form wrote it, before it is read as a boolean,
// a string or a list.
struct Raw {
    enum class Kind { Null, Bool, Text, List, Number, Object };
    Kind kind = Kind::Null;
    bool b = false;
    std::string text;                                          // Text, Number
    std::vector<std::string> items;                            // List (a JSON array's strings)
    std::size_t non_string_items = 0;                          // List: elements that were not strings
    std::vector<std::pair<std::string, std::string>> members;  // Object: its string members
};

struct Prop {
    std::string name;
    Raw value;
    int line = 0;
};

struct RawObject {
    std::vector<Prop> props;
    int line = 0;
};

// Line numbers of offsets into a text.
class LineIndex {
  public:
    explicit LineIndex(std::string_view text) {
        starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') starts_.push_back(i + 1);
    }
    [[nodiscard]] int line_at(std::size_t offset) const {
        return static_cast<int>(std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin());
    }

  private:
    std::vector<std::size_t> starts_;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Hostile text in messages: cut, and only printable ASCII kept as is.
std::string shown(std::string_view s, std::size_t max = 60) {
    std::string out;
    for (char c : s.substr(0, max)) out.push_back(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f ? c : '?');
    if (s.size() > max) out += "...";
    return out;
}

struct Reader {
    std::string_view file;
    Form form = Form::Json;
    std::vector<std::string>* notes = nullptr;

    [[nodiscard]] Error error(int line, std::string_view what) const {
        std::string m(file);
        if (line > 0) m += ": line " + std::to_string(line);
        return make_error(m + ": " + std::string(what));
    }
    [[nodiscard]] Error error(int line, std::string_view property, std::string_view what) const {
        return error(line, std::string(property) + ": " + std::string(what));
    }
};

// ---- Text encoding -------------------------------------------------------

// UTF-8 text of the file: a UTF-8 byte-order mark dropped, UTF-16 (with its
// mark, as Windows PowerShell's `>` and Out-File write) converted by ICU.
Result<std::string> decode_text(std::string_view bytes, const Reader& r) {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") return std::string(bytes.substr(3));
    bool le = bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE";
    bool be = bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF";
    if (le || be) {
        std::string_view body = bytes.substr(2);
        if (body.size() % 2 != 0) return r.error(0, "UTF-16 text of an odd number of bytes (cut short?)");
        std::u16string units(body.size() / 2, u'\0');
        for (std::size_t i = 0; i < units.size(); ++i) {
            auto a = static_cast<unsigned char>(body[2 * i]);
            auto b = static_cast<unsigned char>(body[2 * i + 1]);
            units[i] = static_cast<char16_t>(le ? (a | (b << 8)) : ((a << 8) | b));
        }
        UErrorCode status = U_ZERO_ERROR;
        int32_t need = 0;
        u_strToUTF8WithSub(nullptr, 0, &need, units.data(), static_cast<int32_t>(units.size()), 0xFFFD, nullptr,
                           &status);
        if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
            return r.error(0, std::string("cannot read its UTF-16 text: ") + u_errorName(status));
        std::string out(static_cast<std::size_t>(need), '\0');
        status = U_ZERO_ERROR;
        u_strToUTF8WithSub(out.data(), need, &need, units.data(), static_cast<int32_t>(units.size()), 0xFFFD, nullptr,
                           &status);
        if (U_FAILURE(status)) return r.error(0, std::string("cannot read its UTF-16 text: ") + u_errorName(status));
        r.notes->push_back(le ? "UTF-16LE text (as Windows PowerShell's > and Out-File write it), read as such"
                              : "UTF-16BE text, read as such");
        return out;
    }
    if (bytes.find('\0') != std::string_view::npos)
        return r.error(0,
                       "holds NUL bytes: not text, or UTF-16 without a byte-order mark? Save it as UTF-8 "
                       "(Out-File -Encoding utf8) and try again");
    return std::string(bytes);
}

// ---- JSON (ConvertTo-Json) ------------------------------------------------

Raw json_value(od::value v) {
    Raw raw;
    switch (v.type().value()) {
        case od::json_type::null:
            raw.kind = Raw::Kind::Null;
            break;
        case od::json_type::boolean:
            raw.kind = Raw::Kind::Bool;
            raw.b = v.get_bool().value();
            break;
        case od::json_type::string:
            raw.kind = Raw::Kind::Text;
            raw.text = std::string(v.get_string().value());
            break;
        case od::json_type::number:
            raw.kind = Raw::Kind::Number;
            raw.text = std::string(trim(v.raw_json_token()));
            break;
        case od::json_type::array:
            raw.kind = Raw::Kind::List;
            for (auto el : v.get_array()) {
                od::value e = el.value();
                if (e.type().value() == od::json_type::string) {
                    if (raw.items.size() >= kMaxListValues) throw std::length_error("list");
                    raw.items.emplace_back(std::string_view(e.get_string()));
                } else {
                    ++raw.non_string_items;
                }
            }
            break;
        case od::json_type::object:
            raw.kind = Raw::Kind::Object;
            for (auto field : v.get_object()) {
                std::string key(std::string_view(field.unescaped_key().value()));
                od::value m = field.value().value();
                if (m.type().value() == od::json_type::string && raw.members.size() < 64)
                    raw.members.emplace_back(key, std::string(std::string_view(m.get_string())));
            }
            break;
    }
    return raw;
}

// Where the walk is, for errors: the last key or element it reached.
struct JsonWalk {
    const char* base = nullptr;
    const LineIndex* lines = nullptr;
    const char* last = nullptr;
    [[nodiscard]] int line(const char* p) const {
        return p == nullptr ? 0 : lines->line_at(static_cast<std::size_t>(p - base));
    }
};

RawObject json_object(od::object obj, JsonWalk& walk, int line) {
    RawObject out;
    out.line = line;
    for (auto field : obj) {
        walk.last = field.key().value().raw();
        Prop p;
        p.line = walk.line(walk.last);
        p.name = std::string(field.unescaped_key().value());
        p.value = json_value(field.value().value());
        out.props.push_back(std::move(p));
    }
    return out;
}

// The objects of a document simdjson's DOM parser found valid, walked with
// the On-Demand parser for the lines of their keys.
Result<std::vector<RawObject>> walk_json(const simdjson::padded_string& padded, JsonWalk& walk, const Reader& r) {
    od::parser parser;
    std::vector<RawObject> objects;
    od::document doc = parser.iterate(padded);
    auto type = doc.type().value();
    if (type == od::json_type::object) {
        walk.last = doc.current_location().value();
        objects.push_back(json_object(doc.get_object(), walk, walk.line(walk.last)));
    } else if (type == od::json_type::array) {
        int index = 0;
        for (auto el : doc.get_array()) {
            od::value v = el.value();
            ++index;
            walk.last = v.current_location().value();
            if (v.type().value() != od::json_type::object)
                return r.error(walk.line(walk.last), "element " + std::to_string(index) +
                                                         " of the array is not an object: not ConvertTo-Json output "
                                                         "of Get-InboundConnector or Get-AcceptedDomain");
            if (objects.size() >= kMaxConnectorObjects)
                return r.error(walk.line(walk.last), "more than " + std::to_string(kMaxConnectorObjects) + " objects");
            objects.push_back(json_object(v.get_object(), walk, walk.line(walk.last)));
        }
    } else {
        return r.error(1, "a JSON value that is neither an object nor an array of objects");
    }
    return objects;
}

Result<std::vector<RawObject>> read_json(const std::string& text, const Reader& r) {
    LineIndex lines(text);
    simdjson::padded_string padded(text);
    JsonWalk walk{padded.data(), &lines, nullptr};
    // The DOM parser checks the whole text first (the On-Demand one skips
    // what it is not asked for, and says nothing of text after the value).
    simdjson::dom::parser validator;
    auto valid = validator.parse(padded).error();
    try {
        auto objects = walk_json(padded, walk, r);
        if (valid == simdjson::SUCCESS || !objects) return objects;
    } catch (const simdjson::simdjson_error&) {  // NOLINT(bugprone-empty-catch): said below, from the DOM's error
    } catch (const std::length_error&) {
        return r.error(walk.line(walk.last), "a list of more than " + std::to_string(kMaxListValues) + " values");
    }
    // Invalid: near the last key the walk reached, else the last line.
    int line = walk.line(walk.last);
    if (line == 0)
        line =
            lines.line_at(text.find_last_not_of(" \t\r\n") == std::string::npos ? 0 : text.find_last_not_of(" \t\r\n"));
    std::string why =
        valid == simdjson::SUCCESS ? "simdjson's On-Demand parser refused it" : simdjson::error_message(valid);
    return r.error(line, "not valid JSON (" + why + ")");
}

// ---- Lines of text --------------------------------------------------------

// The text's lines (CRLF, LF, a lone CR, or CR CR LF: a CRLF text written
// out again as text on Windows), with escape sequences a terminal copy may
// carry (colours: ESC [ ... letter) removed.
std::vector<std::string> text_lines(std::string_view text, bool& had_escapes) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t end = text.find_first_of("\r\n", i);
        std::string_view line = text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
        std::string clean;
        clean.reserve(line.size());
        for (std::size_t k = 0; k < line.size(); ++k) {
            if (line[k] == '\x1b' && k + 1 < line.size() && line[k + 1] == '[') {
                had_escapes = true;
                k += 2;
                while (k < line.size() && !(line[k] >= '@' && line[k] <= '~')) ++k;
                continue;
            }
            clean.push_back(line[k]);
        }
        out.push_back(std::move(clean));
        if (end == std::string_view::npos) break;
        i = end;
        if (text[i] == '\r') {
            std::size_t j = i;
            while (j < text.size() && text[j] == '\r') ++j;
            i = j < text.size() && text[j] == '\n' ? j + 1 : i + 1;
        } else {
            ++i;
        }
        if (i == text.size()) break;
    }
    return out;
}

bool blank(std::string_view s) {
    return trim(s).empty();
}

// A PowerShell prompt echoed with the command: "PS C:\Users\admin> Get-...".
bool prompt_line(std::string_view s) {
    if (!s.starts_with("PS ")) return false;
    auto gt = s.find("> ");
    return gt != std::string_view::npos || s.ends_with(">");
}

bool name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool name_char(char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

// "Name   : value" -> name, the colon's column; nullopt when the line is not one.
std::optional<std::pair<std::string_view, std::size_t>> list_property(std::string_view line) {
    if (line.empty() || !name_start(line[0])) return std::nullopt;
    std::size_t n = 1;
    while (n < line.size() && name_char(line[n])) ++n;
    std::size_t colon = n;
    while (colon < line.size() && line[colon] == ' ') ++colon;
    if (colon == n || colon >= line.size() || line[colon] != ':') return std::nullopt;
    if (colon + 1 < line.size() && line[colon + 1] != ' ') return std::nullopt;
    return std::make_pair(line.substr(0, n), colon);
}

// A table's header rule: "----  -------".
bool table_rule(std::string_view s) {
    s = trim(s);
    return s.size() >= 3 && s.find_first_not_of("- ") == std::string_view::npos &&
           s.find("---") != std::string_view::npos;
}

// ---- Format-List ------------------------------------------------------------

Result<std::vector<RawObject>> read_format_list(const std::vector<std::string>& lines, const Reader& r) {
    std::vector<RawObject> objects;
    RawObject current;
    std::size_t value_column = 0;
    auto flush = [&]() -> bool {
        if (current.props.empty()) return true;
        if (objects.size() >= kMaxConnectorObjects) return false;
        for (auto& p : current.props) {
            std::string_view t = trim(p.value.text);
            p.value.text = std::string(t);
            p.value.kind = t.empty() ? Raw::Kind::Null : Raw::Kind::Text;
        }
        objects.push_back(std::move(current));
        current = RawObject{};
        return true;
    };
    bool prompt = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        int n = static_cast<int>(i + 1);
        if (blank(line) || prompt_line(line)) {
            prompt = prompt || prompt_line(line);
            if (!flush()) return r.error(n, "more than " + std::to_string(kMaxConnectorObjects) + " objects");
            continue;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            // A value wrapped onto the next line, indented to the value column.
            if (current.props.empty())
                return r.error(
                    n, "an indented line before any property: not Format-List output ('" + shown(trim(line)) + "')");
            std::size_t strip = 0;
            while (strip < line.size() && strip < value_column && (line[strip] == ' ' || line[strip] == '\t')) ++strip;
            current.props.back().value.text += line.substr(strip);
            continue;
        }
        auto prop = list_property(line);
        if (!prop) {
            if (i + 1 < lines.size() && table_rule(lines[i + 1]))
                return r.error(n,
                               "a table (Format-Table output): it shows a few columns, cut to the window. Export "
                               "the connectors whole: " +
                                   std::string(kExportConnectorsCommand));
            return r.error(n, "not a 'Name : value' line of Format-List output ('" + shown(line) + "')");
        }
        value_column = prop->second + 2;
        Prop p;
        p.name = std::string(prop->first);
        p.line = n;
        p.value.text = line.size() > prop->second + 2 ? line.substr(prop->second + 2) : std::string();
        if (current.props.empty()) current.line = n;
        current.props.push_back(std::move(p));
    }
    if (!flush()) return r.error(0, "more than " + std::to_string(kMaxConnectorObjects) + " objects");
    if (prompt) r.notes->push_back("PowerShell prompt lines left aside");
    return objects;
}

// ---- CSV (Export-Csv) ---------------------------------------------------

// The properties read from either kind of object.
constexpr std::array<std::string_view, 16> kKnownProperties = {"Name",
                                                               "Identity",
                                                               "Enabled",
                                                               "ConnectorType",
                                                               "ConnectorSource",
                                                               "SenderIPAddresses",
                                                               "SenderDomains",
                                                               "AssociatedAcceptedDomains",
                                                               "TlsSenderCertificateName",
                                                               "RequireTls",
                                                               "RestrictDomainsToIPAddresses",
                                                               "RestrictDomainsToCertificate",
                                                               "CloudServicesMailEnabled",
                                                               "TreatMessagesAsInternal",
                                                               "DomainName",
                                                               "DomainType"};

struct CsvRecord {
    int line = 0;
    std::vector<std::pair<std::string, bool>> fields;  // text, quoted
};

// RFC 4180 records, as Export-Csv writes them (every field quoted, a quote
// doubled inside, line breaks kept inside quotes).
Result<std::vector<CsvRecord>> csv_records(std::string_view text, char delim, int first_line, const Reader& r) {
    std::vector<CsvRecord> out;
    int line = first_line;
    std::size_t i = 0;
    while (i < text.size()) {
        CsvRecord rec;
        rec.line = line;
        // Blank lines between records (a trailing newline, a paste) are no records.
        if (text[i] == '\r' || text[i] == '\n') {
            if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            ++i;
            ++line;
            continue;
        }
        for (;;) {
            std::string field;
            bool quoted = false;
            if (i < text.size() && text[i] == '"') {
                quoted = true;
                int opened = line;
                ++i;
                for (;;) {
                    if (i >= text.size()) return r.error(opened, "a quoted CSV field that never ends");
                    char c = text[i];
                    if (c == '"') {
                        if (i + 1 < text.size() && text[i + 1] == '"') {
                            field.push_back('"');
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (c == '\n') ++line;
                    field.push_back(c);
                    ++i;
                }
                // Text after the closing quote, up to the delimiter, is kept (as Excel does).
                while (i < text.size() && text[i] != delim && text[i] != '\r' && text[i] != '\n')
                    field.push_back(text[i++]);
            } else {
                while (i < text.size() && text[i] != delim && text[i] != '\r' && text[i] != '\n')
                    field.push_back(text[i++]);
            }
            if (rec.fields.size() >= 4096) return r.error(rec.line, "a CSV record of more than 4096 fields");
            rec.fields.emplace_back(std::move(field), quoted);
            if (i < text.size() && text[i] == delim) {
                ++i;
                continue;
            }
            break;
        }
        if (i < text.size() && text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        if (out.size() > kMaxConnectorObjects)
            return r.error(rec.line, "more than " + std::to_string(kMaxConnectorObjects) + " records");
        out.push_back(std::move(rec));
    }
    return out;
}

Result<std::vector<RawObject>> read_csv(std::string_view text, const Reader& r) {
    int first = 1;
    // Export-Csv's first line in Windows PowerShell: "#TYPE <the objects' type>".
    while (!text.empty() && (text.front() == '\r' || text.front() == '\n')) {
        if (text.front() == '\n') ++first;
        text.remove_prefix(1);
    }
    if (text.starts_with("#TYPE")) {
        auto nl = text.find('\n');
        std::string type(trim(text.substr(5, nl == std::string_view::npos ? std::string_view::npos : nl - 5)));
        r.notes->push_back("Export-Csv's #TYPE line names " + shown(type, 200));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++first;
    }
    // The delimiter: after the header's first field (Export-Csv -UseCulture
    // writes the list separator of the culture, often ';').
    char delim = ',';
    {
        std::size_t k = 0;
        if (!text.empty() && text[0] == '"') {
            k = text.find('"', 1);
            k = k == std::string_view::npos ? text.size() : k + 1;
        }
        auto d = text.find_first_of(",;\t\r\n", k);
        if (d != std::string_view::npos && (text[d] == ';' || text[d] == '\t')) {
            delim = text[d];
            r.notes->push_back(std::string("CSV fields separated by ") + (delim == ';' ? "';'" : "tabs") +
                               " (Export-Csv -UseCulture)");
        }
    }
    // A header naming none of the properties read is no export of them (a
    // message, some other table): said before its records are parsed.
    {
        std::string_view head = text.substr(0, text.find_first_of("\r\n"));
        bool known = false;
        while (!head.empty() && !known) {
            auto d = head.find(delim);
            std::string_view cell = trim(head.substr(0, d));
            if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
            for (std::string_view n : kKnownProperties) known = known || iequals(cell, n);
            head = d == std::string_view::npos ? std::string_view() : head.substr(d + 1);
        }
        if (!known)
            return r.error(first,
                           "not Get-InboundConnector or Get-AcceptedDomain output: neither ConvertTo-Json output ('{' "
                           "or '['), Format-List text ('Name : value' lines) "
                           "nor an Export-Csv header naming connector or accepted-domain properties");
    }
    auto records = csv_records(text, delim, first, r);
    if (!records) return records.error();
    if (records->empty()) return r.error(first, "a CSV file with no header line");
    const CsvRecord& header = records->front();
    {
        std::vector<std::pair<std::string, std::string_view>> names;  // lower case, as written
        for (const auto& f : header.fields) names.emplace_back(lower(f.first), f.first);
        std::sort(names.begin(), names.end());
        auto twice = std::adjacent_find(names.begin(), names.end(),
                                        [](const auto& x, const auto& y) { return x.first == y.first; });
        if (twice != names.end()) return r.error(header.line, twice->second, "named twice in the CSV header");
    }
    std::vector<RawObject> objects;
    for (std::size_t k = 1; k < records->size(); ++k) {
        const CsvRecord& rec = (*records)[k];
        if (rec.fields.size() != header.fields.size())
            return r.error(rec.line, std::to_string(rec.fields.size()) + " fields where the header names " +
                                         std::to_string(header.fields.size()));
        RawObject o;
        o.line = rec.line;
        for (std::size_t f = 0; f < rec.fields.size(); ++f) {
            Prop p;
            p.name = header.fields[f].first;
            p.line = rec.line;
            p.value.text = rec.fields[f].first;
            p.value.kind = trim(p.value.text).empty() ? Raw::Kind::Null : Raw::Kind::Text;
            o.props.push_back(std::move(p));
        }
        objects.push_back(std::move(o));
    }
    if (objects.empty()) return r.error(header.line, "a CSV header with no records under it");
    return objects;
}

// ---- Reading values -------------------------------------------------------

bool is_type_name(std::string_view s) {
    s = trim(s);
    bool dotted = s.starts_with("System.") || s.starts_with("Microsoft.") || s.starts_with("Deserialized.");
    return dotted && (s.find('[') != std::string_view::npos || s.ends_with("ArrayList") ||
                      s.find("MultiValuedProperty") != std::string_view::npos || s.ends_with("Collection"));
}

std::string lost_list_why(std::string_view property, Form form, std::string_view export_command) {
    (void)property;
    if (form == Form::Csv)
        return "Export-Csv wrote the type name of the list instead of its values; export it whole with `" +
               std::string(export_command) + "`";
    return "ConvertTo-Json wrote objects in place of the values; export it again with `" + std::string(export_command) +
           "`";
}

class ObjectReader {
  public:
    ObjectReader(const Reader& r, const RawObject& o, std::string_view export_command)
        : r_(r), o_(o), export_(export_command) {}

    // The property, by name, case-insensitively; null when absent.
    [[nodiscard]] const Prop* find(std::string_view name) const {
        for (const auto& p : o_.props)
            if (iequals(p.name, name)) return &p;
        return nullptr;
    }

    Result<bool> boolean(std::string_view name, std::optional<bool>& out) {
        const Prop* p = find(name);
        if (p == nullptr) return true;
        where_.emplace_back(std::string(name), p->line);
        const Raw& v = p->value;
        switch (v.kind) {
            case Raw::Kind::Null:
                return true;
            case Raw::Kind::Bool:
                out = v.b;
                return true;
            case Raw::Kind::Text: {
                std::string_view t = trim(v.text);
                if (iequals(t, "True") || iequals(t, "$true")) {
                    out = true;
                    return true;
                }
                if (iequals(t, "False") || iequals(t, "$false")) {
                    out = false;
                    return true;
                }
                return r_.error(p->line, name, "'" + shown(t) + "' is neither True nor False");
            }
            default:
                return r_.error(p->line, name, "a list, number or object where True or False belongs");
        }
    }

    Result<bool> text(std::string_view name, std::optional<std::string>& out) {
        const Prop* p = find(name);
        if (p == nullptr) return true;
        where_.emplace_back(std::string(name), p->line);
        const Raw& v = p->value;
        switch (v.kind) {
            case Raw::Kind::Null:
                return true;
            case Raw::Kind::Text: {
                std::string_view t = trim(v.text);
                if (!t.empty()) out = make_valid_utf8(t);
                return true;
            }
            case Raw::Kind::Number:
                lost_.push_back(
                    {std::string(name), "written as the number " + shown(v.text) +
                                            " (the value of a .NET enum, whose names Microsoft does not "
                                            "document): export with the Exchange Online PowerShell V3 "
                                            "module, or with PowerShell 7's ConvertTo-Json -EnumsAsStrings"});
                return true;
            case Raw::Kind::Object:
                lost_.push_back({std::string(name), "written as an object, not as its text; export it again with `" +
                                                        std::string(export_) + "`"});
                return true;
            case Raw::Kind::List:
                if (v.items.size() == 1 && v.non_string_items == 0) {
                    out = make_valid_utf8(trim(v.items.front()));
                    return true;
                }
                return r_.error(p->line, name, "a list where one value belongs");
            case Raw::Kind::Bool:
                return r_.error(p->line, name, "True or False where a name belongs");
        }
        return true;
    }

    Result<bool> list(std::string_view name, std::vector<std::string>& out) {
        const Prop* p = find(name);
        if (p == nullptr) return true;
        where_.emplace_back(std::string(name), p->line);
        const Raw& v = p->value;
        auto add = [&](std::string_view item) -> bool {
            item = trim(item);
            if (item.empty()) return true;
            if (out.size() >= kMaxListValues) return false;
            out.push_back(make_valid_utf8(item));
            return true;
        };
        auto split = [&](std::string_view s, std::string_view seps) -> bool {
            while (!s.empty()) {
                auto k = s.find_first_of(seps);
                if (!add(s.substr(0, k))) return false;
                s = k == std::string_view::npos ? std::string_view() : s.substr(k + 1);
            }
            return true;
        };
        bool ok = true;
        switch (v.kind) {
            case Raw::Kind::Null:
                break;
            case Raw::Kind::List:
                for (const auto& item : v.items) ok = ok && add(item);
                if (v.non_string_items > 0) lost_.push_back({std::string(name), lost_list_why(name, r_.form, export_)});
                break;
            case Raw::Kind::Text: {
                std::string_view t = trim(v.text);
                if (is_type_name(t)) {
                    lost_.push_back(
                        {std::string(name), lost_list_why(name, Form::Csv, export_) + " (it says " + shown(t) + ")"});
                    break;
                }
                if (r_.form == Form::FormatList && t.starts_with("{") && t.ends_with("}")) {
                    std::string_view inner = t.substr(1, t.size() - 2);
                    bool cut = false;
                    for (std::string_view dots : {std::string_view("..."), std::string_view("\u2026")})
                        if (inner.ends_with(dots)) {
                            inner.remove_suffix(dots.size());
                            cut = true;
                        }
                    ok = split(inner, ",");
                    if (cut)
                        lost_.push_back(
                            {std::string(name),
                             "Format-List showed only the first " + std::to_string(out.size()) +
                                 " values ($FormatEnumerationLimit) and cut the rest; run "
                                 "`$FormatEnumerationLimit=-1` before Format-List, or export them whole with `" +
                                 std::string(export_) + "`"});
                    break;
                }
                // One value, or values a script joined: split on what no IP
                // address, domain or "smtp:*;1" holds.
                ok = split(t, r_.form == Form::FormatList ? "," : ", |");
                break;
            }
            case Raw::Kind::Number:
            case Raw::Kind::Bool:
                return r_.error(p->line, name, "True, False or a number where a list belongs");
            case Raw::Kind::Object:
                lost_.push_back({std::string(name), lost_list_why(name, Form::Json, export_)});
                break;
        }
        if (!ok) return r_.error(p->line, name, "more than " + std::to_string(kMaxListValues) + " values");
        return true;
    }

    std::vector<std::pair<std::string, int>> where_;
    std::vector<LostValue> lost_;

  private:
    const Reader& r_;
    const RawObject& o_;
    std::string_view export_;
};

// A property given twice (case-insensitively), the second; null when none
// is. Sorted, not compared pairwise: an object may hold any number of them.
const Prop* repeated(const std::vector<Prop>& props) {
    std::vector<std::pair<std::string, const Prop*>> names;
    names.reserve(props.size());
    for (const auto& p : props) names.emplace_back(lower(p.name), &p);
    std::stable_sort(names.begin(), names.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (std::size_t i = 1; i < names.size(); ++i)
        if (names[i].first == names[i - 1].first) return names[i].second;
    return nullptr;
}

bool has_any(const RawObject& o, std::initializer_list<std::string_view> names) {
    for (const auto& p : o.props)
        for (auto n : names)
            if (iequals(p.name, n)) return true;
    return false;
}

Result<InboundConnector> to_connector(const RawObject& o, const Reader& r) {
    ObjectReader in(r, o, kExportConnectorsCommand);
    InboundConnector c;
    c.file = std::string(r.file);
    c.line = o.line;
    std::optional<std::string> name;
    std::optional<std::string> identity;
    for (auto ok :
         {in.text("Name", name), in.text("Identity", identity), in.boolean("Enabled", c.enabled),
          in.text("ConnectorType", c.connector_type), in.text("ConnectorSource", c.connector_source),
          in.list("SenderIPAddresses", c.sender_ip_addresses), in.list("SenderDomains", c.sender_domains),
          in.list("AssociatedAcceptedDomains", c.associated_accepted_domains),
          in.text("TlsSenderCertificateName", c.tls_sender_certificate_name), in.boolean("RequireTls", c.require_tls),
          in.boolean("RestrictDomainsToIPAddresses", c.restrict_domains_to_ip_addresses),
          in.boolean("RestrictDomainsToCertificate", c.restrict_domains_to_certificate),
          in.boolean("CloudServicesMailEnabled", c.cloud_services_mail_enabled),
          in.boolean("TreatMessagesAsInternal", c.treat_messages_as_internal)})
        if (!ok) return ok.error();
    if (name)
        c.name = *name;
    else if (identity)
        c.name = *identity;
    else
        return r.error(o.line, "an inbound connector without a Name or Identity");
    c.where = std::move(in.where_);
    c.lost = std::move(in.lost_);
    return c;
}

Result<AcceptedDomain> to_domain(const RawObject& o, const Reader& r) {
    ObjectReader in(r, o, kExportAcceptedDomainsCommand);
    AcceptedDomain d;
    d.file = std::string(r.file);
    d.line = o.line;
    std::optional<std::string> domain;
    std::optional<std::string> name;
    const Prop* dn = in.find("DomainName");
    // ConvertTo-Json of a remote session's object writes the domain as an
    // object ({"Domain": "contoso.com", "IncludeSubDomains": false, ...}).
    if (dn != nullptr && dn->value.kind == Raw::Kind::Object) {
        for (const auto& [k, v] : dn->value.members)
            if (iequals(k, "Domain") || iequals(k, "Address")) domain = std::string(trim(v));
        if (!domain) return r.error(dn->line, "DomainName", "an object without a Domain or Address member");
    } else {
        for (auto ok : {in.text("DomainName", domain)})
            if (!ok) return ok.error();
    }
    for (auto ok : {in.text("DomainType", d.domain_type), in.boolean("Default", d.is_default),
                    in.boolean("MatchSubDomains", d.match_subdomains), in.text("Name", name)})
        if (!ok) return ok.error();
    if (!domain || domain->empty())
        return r.error(dn != nullptr ? dn->line : o.line, "DomainName", "an accepted domain without its domain name");
    d.domain = lower(*domain);
    d.name = name.value_or(d.domain);
    return d;
}

Form detect_form(const std::vector<std::string>& lines, std::string_view text) {
    std::string_view t = trim(text);
    if (!t.empty() && (t.front() == '{' || t.front() == '[')) return Form::Json;
    for (const auto& l : lines) {
        if (blank(l) || prompt_line(l)) continue;
        if (l.starts_with("#TYPE")) return Form::Csv;
        if (list_property(l)) return Form::FormatList;
        return Form::Csv;
    }
    return Form::Csv;
}

}  // namespace

Result<ConnectorConfig> read_connector_config(std::string_view bytes, std::string_view name) {
    ConnectorConfig config;
    Reader r{name, Form::Json, &config.notes};
    if (bytes.size() > kMaxConnectorFileBytes)
        return r.error(0, "larger than " + std::to_string(kMaxConnectorFileBytes / (1024 * 1024)) +
                              " MB: not an export of connectors or accepted domains");
    auto text = decode_text(bytes, r);
    if (!text) return text.error();
    if (trim(*text).empty()) return r.error(0, "empty: no connectors or accepted domains in it");
    bool escapes = false;
    std::vector<std::string> lines;
    r.form = Form::Json;
    std::string_view t = trim(*text);
    if (t.front() != '{' && t.front() != '[') {
        // Text forms: invalid bytes (a legacy code page) become U+FFFD.
        *text = make_valid_utf8(std::move(*text));
        lines = text_lines(*text, escapes);
        r.form = detect_form(lines, *text);
        for (std::size_t i = 0; r.form == Form::Csv && i + 1 < lines.size(); ++i)
            if (!blank(lines[i]) && !prompt_line(lines[i])) {
                if (table_rule(lines[i + 1]))
                    return r.error(static_cast<int>(i + 1),
                                   "a table (Format-Table output): it shows a few columns, cut to the window. Export "
                                   "the connectors whole: " +
                                       std::string(kExportConnectorsCommand));
                break;
            }
    }
    Result<std::vector<RawObject>> objects = std::vector<RawObject>{};
    if (r.form == Form::Json)
        objects = read_json(*text, r);
    else if (r.form == Form::FormatList)
        objects = read_format_list(lines, r);
    else
        objects = read_csv(*text, r);
    if (!objects) return objects.error();
    if (escapes) config.notes.emplace_back("terminal colour sequences removed");
    config.form = std::string(form_name(r.form));
    bool connectors = false;
    bool domains = false;
    for (const auto& o : *objects) {
        if (const Prop* twice = repeated(o.props))
            return r.error(twice->line, twice->name, "given twice in one object");
        if (has_any(o, {"SmartHosts", "RecipientDomains", "TlsDomain", "UseMXRecord"}) &&
            !has_any(o, {"SenderIPAddresses", "TlsSenderCertificateName"}))
            return r.error(o.line,
                           "an outbound connector (Get-OutboundConnector: SmartHosts, RecipientDomains): "
                           "relay through Exchange Online is decided by inbound connectors; export them with `" +
                               std::string(kExportConnectorsCommand) + "`");
        if (has_any(o, {"ConnectorType", "SenderIPAddresses", "TlsSenderCertificateName",
                        "RestrictDomainsToIPAddresses", "RestrictDomainsToCertificate"})) {
            auto c = to_connector(o, r);
            if (!c) return c.error();
            config.connectors.push_back(std::move(*c));
            connectors = true;
        } else if (has_any(o, {"DomainName"})) {
            auto d = to_domain(o, r);
            if (!d) return d.error();
            config.accepted_domains.push_back(std::move(*d));
            domains = true;
        } else {
            return r.error(o.line,
                           "neither an inbound connector (no ConnectorType, SenderIPAddresses or "
                           "TlsSenderCertificateName) nor an accepted domain (no DomainName): export "
                           "connectors with `" +
                               std::string(kExportConnectorsCommand) + "`");
        }
    }
    config.accepted_domains_given = domains;
    std::string kind = connectors && domains ? "inbound-connectors+accepted-domains"
                       : domains             ? "accepted-domains"
                                             : "inbound-connectors";
    config.sources.push_back({std::string(name), config.form, kind, objects->size()});
    return config;
}

void merge_config(ConnectorConfig& into, ConnectorConfig more) {
    for (auto& c : more.connectors) into.connectors.push_back(std::move(c));
    for (auto& d : more.accepted_domains) into.accepted_domains.push_back(std::move(d));
    into.accepted_domains_given = into.accepted_domains_given || more.accepted_domains_given;
    if (into.form.empty()) into.form = more.form;
    for (auto& s : more.sources) into.sources.push_back(std::move(s));
    for (auto& n : more.notes) into.notes.push_back(std::move(n));
}

}  // namespace hopscope
