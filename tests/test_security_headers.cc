#define BOOST_TEST_MODULE security_headers
#include <boost/test/unit_test.hpp>

#include <string>

#include "chain/trace_builder.hh"
#include "parse/header_meanings.hh"
#include "parse/security_headers.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

// The report of a message made of these header lines.
struct Decoded {
    Trace trace;
    SecurityReport report;
};
Decoded decode(const std::vector<SignalHeader>& headers) {
    Decoded d;
    d.trace.signals = headers;
    d.report = decode_security(d.trace.signals);
    return d;
}

// The meaning a field of `header` gets for key and value.
std::string meaning(std::string_view header, std::string_view key, std::string_view value) {
    const HeaderInfo* h = header_info(header);
    BOOST_REQUIRE(h != nullptr);
    const FieldMeaning* row = field_meaning(*h, key, value).best();
    return row != nullptr ? std::string(row->text) : std::string("<none>");
}

bool value_row(std::string_view header, std::string_view key, std::string_view value) {
    const HeaderInfo* h = header_info(header);
    return h != nullptr && field_meaning(*h, key, value).value != nullptr;
}

}  // namespace

// The table itself: every line well formed, every source known and https,
// every field under a header of the table.
BOOST_AUTO_TEST_CASE(the_meaning_table_is_sound) {
    auto problems = header_meanings_problems();
    for (const auto& p : problems) BOOST_TEST_MESSAGE(p);
    BOOST_TEST(problems.empty());
    for (std::size_t rank = 0; const HeaderInfo* h = header_by_rank(rank); ++rank) {
        BOOST_TEST(!h->about.empty(), h->name);
        if (h->source != nullptr) BOOST_TEST(h->source->url.starts_with("https://"), h->name);
    }
}

// SCL -1..9 in Microsoft's bands, in both headers that carry it.
BOOST_AUTO_TEST_CASE(scl_bands) {
    for (std::string_view header : {"X-Forefront-Antispam-Report", "X-MS-Exchange-Organization-SCL"}) {
        std::string_view key = header == "X-Forefront-Antispam-Report" ? "SCL" : "=";
        BOOST_TEST(meaning(header, key, "-1").starts_with("spam filtering skipped"));
        BOOST_TEST(meaning(header, key, "0").starts_with("not spam"));
        BOOST_TEST(meaning(header, key, "1").starts_with("not spam"));
        for (auto v : {"2", "3", "4"})
            BOOST_TEST(meaning(header, key, v).starts_with("a value Microsoft 365's spam filtering never stamps"));
        BOOST_TEST(meaning(header, key, "5").starts_with("spam:"));
        BOOST_TEST(meaning(header, key, "6").starts_with("spam:"));
        for (auto v : {"7", "8", "9"}) BOOST_TEST(meaning(header, key, v).starts_with("high confidence spam"));
        BOOST_TEST(!value_row(header, key, "10"));
    }
    // SKI: skipped for another reason, such as mail inside the tenant.
    BOOST_TEST(
        meaning("X-Forefront-Antispam-Report", "SFV", "SKI").starts_with("filtering skipped for another reason"));
}

BOOST_AUTO_TEST_CASE(bcl_and_pcl_bands) {
    BOOST_TEST(meaning("X-Microsoft-Antispam", "BCL", "0") == "not from a bulk sender");
    for (auto v : {"1", "2", "3"})
        BOOST_TEST(meaning("X-Microsoft-Antispam", "BCL", v).find("few complaints") != std::string::npos);
    for (auto v : {"4", "5", "6", "7"})
        BOOST_TEST(meaning("X-Microsoft-Antispam", "BCL", v).find("mixed number") != std::string::npos);
    for (auto v : {"8", "9"})
        BOOST_TEST(meaning("X-Microsoft-Antispam", "BCL", v).find("many complaints") != std::string::npos);
    BOOST_TEST(meaning("X-MS-Exchange-Organization-PCL", "=", "2").starts_with("neutral"));
    BOOST_TEST(meaning("X-MS-Exchange-Organization-PCL", "=", "7").starts_with("suspicious"));
    BOOST_TEST(meaning("X-Microsoft-Antispam", "PCL", "8").starts_with("suspicious"));
}

// Every value Microsoft lists for SFV, CAT, SFTY, IPV, SRV, DIR; a listed
// key with an unlisted value says so; a key Microsoft does not list is its
// anti-spam team's.
BOOST_AUTO_TEST_CASE(forefront_fields_in_the_vendors_casing_with_meanings) {
    auto f = parse_forefront_report(
        "CIP:40.107.8.131;CTRY:;LANG:en;scl:5;SRV:BULK;IPV:CAL;SFV:SKN;H:mail.example;PTR:;CAT:PHSH;SFTY:9.25;"
        "SFS:(13230031)(4636009);DIR:INB;NEWFIELD:7;");
    BOOST_REQUIRE_EQUAL(f.size(), 14U);
    BOOST_TEST(f[0].key == "CIP");
    BOOST_TEST(f[0].value == "40.107.8.131");
    BOOST_TEST(f[3].key == "SCL");  // written "scl", shown in Microsoft's casing
    BOOST_TEST(f[3].row()->text.starts_with("spam:"));
    BOOST_TEST(f[4].row()->text.starts_with("bulk mail"));
    BOOST_TEST(f[5].row()->text == "the source IP is on the IP Allow List (for which Microsoft skips spam filtering)");
    BOOST_TEST(f[6].row()->text.starts_with("marked not spam before filtering"));
    BOOST_TEST(f[9].row()->text == "phishing");
    BOOST_TEST(f[10].row()->text.starts_with("first contact safety tip"));
    BOOST_TEST(f[11].value == "(13230031)(4636009)");
    BOOST_TEST(f[11].row()->text.find("anti-spam team") != std::string::npos);
    BOOST_TEST(f[13].key == "NEWFIELD");
    BOOST_TEST(f[13].row()->text.find("anti-spam team") != std::string::npos);
    for (auto v : {"BLK", "NSPM", "SFE", "SKA", "SKB", "SKN", "SKQ", "SKS", "SPM"})
        BOOST_TEST(value_row("X-Forefront-Antispam-Report", "SFV", v), v);
    for (auto v : {"AMP", "BIMP", "BULK", "DIMP", "FTBP", "GIMP", "HPHSH", "HPHISH", "HSPM", "INTOS", "MALW", "OSPM",
                   "PHSH", "SAP", "SPM", "SPOOF", "UIMP"})
        BOOST_TEST(value_row("X-Forefront-Antispam-Report", "CAT", v), v);
    for (auto v : {"9.19", "9.20", "9.25"}) BOOST_TEST(value_row("X-Forefront-Antispam-Report", "SFTY", v), v);
    for (auto v : {"INB", "OUT", "INT"}) BOOST_TEST(value_row("X-Forefront-Antispam-Report", "DIR", v), v);
    // CAT:NONE is not in Microsoft's list: the key's meaning, the value said undescribed.
    auto none = parse_forefront_report("CAT:NONE");
    BOOST_TEST(!none[0].value_described());
    BOOST_TEST(none[0].meaning.enumerated);
    // CIP 255.255.255.255: not documented; what it is seen on.
    auto cip = parse_forefront_report("CIP:255.255.255.255");
    BOOST_TEST((cip[0].row()->status == MeaningStatus::observed));
    BOOST_TEST(cip[0].row()->text.find("not described by Microsoft") != std::string::npos);
    BOOST_TEST(!parse_forefront_report("CIP:192.0.2.1")[0].meaning.enumerated);
    // PTR's placeholders for no reverse name are said as such; a host name is the key's meaning.
    for (auto v : {"InfoDomainNonexistent", "InfoNoRecords"}) {
        auto ptr = parse_forefront_report(std::string("PTR:") + v);
        BOOST_TEST(ptr[0].row()->text.starts_with("no reverse DNS name"), v);
    }
    auto named = parse_forefront_report("PTR:mail.example.com");
    BOOST_TEST(named[0].row()->text == "the reverse DNS (PTR) name of the source IP");
    BOOST_TEST(!named[0].meaning.enumerated);
}

// compauth's reason codes as Microsoft documents them, exact codes before patterns.
BOOST_AUTO_TEST_CASE(compauth_reason_codes) {
    const std::string_view ar = "Authentication-Results";
    BOOST_TEST(meaning(ar, "reason", "000").starts_with("failed explicit authentication"));
    BOOST_TEST(meaning(ar, "reason", "001").starts_with("failed implicit authentication"));
    BOOST_TEST(meaning(ar, "reason", "002").find("spoofed") != std::string::npos);
    BOOST_TEST(meaning(ar, "reason", "010").find("accepted domains") != std::string::npos);
    BOOST_TEST(meaning(ar, "reason", "130").find("ARC") != std::string::npos);
    BOOST_TEST(meaning(ar, "reason", "105").starts_with("passed authentication"));
    BOOST_TEST(meaning(ar, "reason", "703").starts_with("passed authentication"));
    BOOST_TEST(meaning(ar, "reason", "201").starts_with("soft-passed"));
    BOOST_TEST(meaning(ar, "reason", "301").starts_with("not checked"));
    BOOST_TEST(meaning(ar, "reason", "451").starts_with("bypassed"));
    BOOST_TEST(meaning(ar, "reason", "905").starts_with("bypassed"));
    BOOST_TEST(meaning(ar, "reason", "601").find("accepted domains") != std::string::npos);
    BOOST_TEST(!value_row(ar, "reason", "501"));  // 5xx and 8xx: Microsoft lists none
    BOOST_TEST(!value_row(ar, "reason", "1000"));
    BOOST_TEST(meaning(ar, "compauth", "softpass").find("soft-passed") != std::string::npos);
    BOOST_TEST(meaning(ar, "dmarc", "bestguesspass").find("no DMARC record") != std::string::npos);
    BOOST_TEST(meaning(ar, "action", "pct.quarantine").find("pct") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(microsoft_authentication_results_without_authserv_id) {
    auto a = parse_authentication_results(
        "Authentication-Results",
        "spf=pass (sender IP is 40.107.8.131) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) "
        "header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100");
    BOOST_TEST(!a.authserv_id);
    BOOST_REQUIRE_EQUAL(a.results.size(), 4U);
    BOOST_TEST(auth_summary(a.results[0]) == "SPF: pass with IP 40.107.8.131 (mail from contoso.com)");
    BOOST_TEST(auth_summary(a.results[1]) == "DKIM: pass with domain contoso.com");
    BOOST_TEST(auth_summary(a.results[2]) == "DMARC: pass for contoso.com, action none");
    BOOST_TEST(auth_summary(a.results[3]) == "Composite auth: pass, reason 100");
    BOOST_TEST(auth_details(a.results[0]) == "with IP 40.107.8.131 (mail from contoso.com)");
    BOOST_TEST(*a.results[1].reason == "signature was verified");
}

BOOST_AUTO_TEST_CASE(gmail_and_arc_results) {
    auto a = parse_authentication_results(
        "ARC-Authentication-Results",
        "i=1; mx.google.com; spf=pass (google.com: domain of x@relay.edu designates 146.20.14.105 as permitted sender) "
        "smtp.mailfrom=x@relay.edu; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=relay.edu");
    BOOST_TEST(*a.arc_instance == 1);
    BOOST_TEST(*a.authserv_id == "mx.google.com");
    BOOST_TEST(auth_summary(a.results.at(0)) == "SPF: pass with IP 146.20.14.105 (mail from x@relay.edu)");
}

// X-MS-Exchange-Authentication-Results (EOP's own, Microsoft's odd bare
// domains between the results) and Received-SPF, decoded.
BOOST_AUTO_TEST_CASE(exchange_authentication_results_and_received_spf) {
    auto d =
        decode({{"x-ms-exchange-authentication-results",
                 "spf=pass (sender IP is 216.228.112.34) smtp.mailfrom=nvidia.com; kernel.org; dkim=none (message "
                 "not signed) header.d=none;kernel.org; dmarc=pass action=none header.from=nvidia.com;"},
                {"Received-SPF",
                 "Pass (protection.outlook.com: domain of nvidia.com designates 216.228.112.34 as permitted sender) "
                 "receiver=protection.outlook.com; client-ip=216.228.112.34; helo=mail.nvidia.com;"}});
    const SecurityGroup* ex = d.report.find("X-MS-Exchange-Authentication-Results");
    BOOST_REQUIRE(ex != nullptr);
    BOOST_TEST(ex->info->name == "X-MS-Exchange-Authentication-Results");  // the canonical casing
    BOOST_TEST((ex->info->status == MeaningStatus::undocumented));
    BOOST_REQUIRE_EQUAL(ex->auth.results.size(), 3U);
    BOOST_TEST(ex->auth.results[1].method == "dkim");
    BOOST_TEST(ex->auth.results[1].result == "none");
    const SecurityGroup* spf = d.report.find("Received-SPF");
    BOOST_REQUIRE(spf != nullptr);
    BOOST_REQUIRE_EQUAL(spf->fields.size(), 5U);
    BOOST_TEST(spf->fields[0].key == "result");
    BOOST_TEST(spf->fields[0].value == "Pass");
    BOOST_TEST(spf->fields[0].row()->text.starts_with("the sending IP is allowed"));
    BOOST_TEST(spf->fields[1].key == "comment");
    BOOST_TEST(spf->fields[3].key == "client-ip");
    BOOST_TEST(spf->fields[3].value == "216.228.112.34");
    BOOST_TEST(spf->fields[4].value == "mail.nvidia.com");
}

// An SPF result on another basis than the domain's record says so: Google's
// guess for a domain without a record, a receiver's local policy.
BOOST_AUTO_TEST_CASE(spf_best_guess_and_local_policy_are_not_the_domains_record) {
    auto d = decode({{"Received-SPF",
                      "neutral (google.com: 174.1.8.2 is neither permitted nor denied by best guess record for "
                      "domain of x@example.org) client-ip=174.1.8.2;"},
                     {"Received-SPF", "pass (: local policy designates 80.68.177.35 as permitted sender)"},
                     {"Received-SPF", "Pass (mx.example: domain of example.org designates 192.0.2.1 as permitted)"}});
    std::vector<std::string> texts;
    for (const auto& g : d.report.groups)
        if (g.info != nullptr && g.info->name == "Received-SPF") texts.emplace_back(g.fields.at(0).row()->text);
    BOOST_REQUIRE_EQUAL(texts.size(), 3U);
    BOOST_TEST(texts[0].starts_with("the record the receiver guessed for the domain (it publishes none)"));
    BOOST_TEST(texts[1].starts_with("the receiver's own local policy, not the domain's SPF record, allows"));
    BOOST_TEST(texts[2].starts_with("the sending IP is allowed by the domain's SPF record"));
    const HeaderInfo* info = header_info("Authentication-Results");
    BOOST_REQUIRE(info != nullptr);
    auto a = parse_authentication_results(
        "Authentication-Results",
        "mx.google.com; spf=pass (google.com: best guess record for domain of x@example.org designates 192.0.2.7 "
        "as permitted sender) smtp.mailfrom=x@example.org");
    BOOST_TEST(std::string(result_meaning(*info, a, a.results.at(0)).best()->text)
                   .starts_with("the sending IP matches a record the receiver guessed"));
    auto plain = parse_authentication_results("Authentication-Results",
                                              "mx.google.com; spf=pass (google.com: domain of x@example.org "
                                              "designates 192.0.2.7 as permitted sender)");
    BOOST_TEST(std::string(result_meaning(*info, plain, plain.results.at(0)).best()->text)
                   .starts_with("the sending IP is allowed by the domain's SPF record"));
}

// Authentication-Results per authserv-id, each result once; the ARC chain
// as one, a set whose results a header already says is said "same as".
BOOST_AUTO_TEST_CASE(each_result_once_and_arc_as_one_chain) {
    auto d = decode({
        {"ARC-Seal", "i=2; a=rsa-sha256; t=1; cv=pass; d=google.com; s=arc-20160816"},
        {"ARC-Authentication-Results",
         "i=2; mx.google.com; spf=pass (google.com: domain of a@b.example designates 192.0.2.1 as permitted sender) "
         "smtp.mailfrom=a@b.example; dkim=pass header.i=@b.example header.s=s1 header.b=\"xyz\""},
        {"Authentication-Results",
         "mx.google.com; spf=pass (google.com: domain of a@b.example designates 192.0.2.1 as permitted sender) "
         "smtp.mailfrom=a@b.example"},
        {"Authentication-Results", "mx.google.com; dkim=pass header.i=@b.example header.s=s1 header.b=xyz"},
        {"Authentication-Results", "mx.google.com; dkim=pass header.i=@b.example header.s=s1 header.b=xyz"},
        {"ARC-Seal", "i=1; a=rsa-sha256; t=1; cv=none; d=example.org; s=k1"},
        {"ARC-Authentication-Results", "i=1; lists.example.org; arc=none; dmarc=fail header.from=b.example"},
    });
    const SecurityGroup* ar = d.report.find("Authentication-Results");
    BOOST_REQUIRE(ar != nullptr);
    BOOST_TEST(*ar->auth.authserv_id == "mx.google.com");
    BOOST_TEST(ar->auth.results.size() == 2U);  // the repeated DKIM result once
    BOOST_TEST(ar->raw.size() == 2U);
    BOOST_REQUIRE_EQUAL(d.report.arc.sets.size(), 2U);
    const ArcSet& newest = *d.report.arc.newest();
    BOOST_TEST(newest.instance == 2);
    BOOST_TEST(*newest.cv == "pass");
    BOOST_TEST(*newest.sealed_by == "google.com");
    BOOST_TEST(newest.cv_meaning.best()->text.starts_with("every earlier set validated"));
    BOOST_TEST(newest.same_as_group.has_value());  // header.b="xyz" and header.b=xyz are one value
    BOOST_TEST(newest.extra.empty());
    const ArcSet& first = d.report.arc.sets.front();
    BOOST_TEST(!first.same_as_group);
    BOOST_TEST(first.results->results.size() == 2U);
    BOOST_TEST(*first.cv == "none");
}

// Two EOP passes' results (two fields without an authserv-id): the SPF
// checks of two different sender IPs are two results, not one; an ARC set
// is "the same" only where the IPs its comments name agree too.
BOOST_AUTO_TEST_CASE(checks_of_two_senders_are_two_results) {
    auto d = decode({
        {"X-MS-Exchange-Authentication-Results",
         "spf=pass (sender IP is 63.35.35.123) smtp.mailfrom=arm.example; dkim=pass (signature was verified) "
         "header.d=arm.example;dmarc=pass action=none header.from=arm.example;"},
        {"X-MS-Exchange-Authentication-Results",
         "spf=pass (sender IP is 40.67.248.234) smtp.mailfrom=arm.example; dkim=pass (signature was verified) "
         "header.d=arm.example;dmarc=pass action=none header.from=arm.example;"},
        {"ARC-Seal", "i=1; a=rsa-sha256; t=1; cv=none; d=microsoft.com; s=arcselector9901"},
        {"ARC-Authentication-Results",
         "i=1; mx.microsoft.com 1; spf=pass (sender ip is 198.51.100.7) smtp.mailfrom=arm.example; dkim=pass "
         "header.d=arm.example; dmarc=pass action=none header.from=arm.example"},
    });
    const SecurityGroup* g = d.report.find("X-MS-Exchange-Authentication-Results");
    BOOST_REQUIRE(g != nullptr);
    BOOST_TEST(std::ranges::count_if(g->auth.results, [](const AuthResult& r) { return r.method == "spf"; }) == 2);
    BOOST_TEST(g->auth.results.size() == 4U);  // DKIM and DMARC once
    BOOST_REQUIRE_EQUAL(d.report.arc.sets.size(), 1U);
    BOOST_TEST(!d.report.arc.sets.front().same_as_group);  // its SPF checked another sender
}

// Exchange Online's outbound ARC set asserts passes; a receiver's check of
// the same signature found one: alike in result, not in meaning, so the set
// is said on its own (the text and the JSON both read its own rows).
BOOST_AUTO_TEST_CASE(an_asserted_pass_is_not_the_same_as_a_checked_one) {
    auto d = decode({
        {"Authentication-Results",
         " smtp.subspace.kernel.org; dkim=pass (2048-bit key) header.d=Nvidia.com header.i=@Nvidia.com"},
        {"ARC-Seal", "i=1; a=rsa-sha256; t=1; cv=none; d=microsoft.com; s=arcselector9901"},
        {"ARC-Authentication-Results",
         "i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=nvidia.com; dmarc=pass action=none "
         "header.from=nvidia.com; dkim=pass header.d=nvidia.com; arc=none"},
    });
    BOOST_REQUIRE_EQUAL(d.report.arc.sets.size(), 1U);
    BOOST_TEST(!d.report.arc.sets.front().same_as_group);
    BOOST_TEST(!d.report.arc.sets.front().same_as_set);
}

BOOST_AUTO_TEST_CASE(decoded_from_a_whole_message) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml"));
    BOOST_REQUIRE(t);
    auto s = decode_security(t->signals);
    const SecurityGroup* ff = s.find("X-Forefront-Antispam-Report");
    BOOST_REQUIRE(ff != nullptr);
    BOOST_TEST(ff->fields.size() == 12U);
    BOOST_TEST(std::ranges::any_of(ff->fields, [](const SecurityField& f) { return f.key == "SFS"; }));
    BOOST_TEST(s.find("X-MS-Exchange-Organization-SCL")->fields[0].value == "1");
    BOOST_TEST(s.find("X-Microsoft-Antispam")->fields[0].value == "0");
    BOOST_TEST(s.find("Authentication-Results") != nullptr);
    BOOST_TEST(s.ids.network_message_id->key == "X-MS-Exchange-Organization-Network-Message-Id");
    BOOST_TEST(*s.ids.end_to_end_latency_ms == 2015);
    // Groups in the table's order: authentication first, vendors' fields after Microsoft's.
    for (std::size_t i = 1; i < s.groups.size(); ++i) BOOST_TEST(s.groups[i - 1].info->rank <= s.groups[i].info->rank);
}

// The mailbox's own stamp is undocumented by Microsoft: said so, with what
// others read in dest and OFR.
BOOST_AUTO_TEST_CASE(mailbox_delivery_is_undocumented) {
    auto d =
        decode({{"X-Microsoft-Antispam-Mailbox-Delivery", "ucf:0;jmr:1;auth:0;dest:J;OFR:CustomRules;ENG:(1)(2);"}});
    const SecurityGroup* g = d.report.find("X-Microsoft-Antispam-Mailbox-Delivery");
    BOOST_REQUIRE(g != nullptr);
    BOOST_REQUIRE_EQUAL(g->fields.size(), 6U);
    BOOST_TEST((g->info->status == MeaningStatus::undocumented));
    BOOST_TEST((g->fields[0].row()->status == MeaningStatus::undocumented));  // ucf
    BOOST_TEST((g->fields[1].row()->status == MeaningStatus::undocumented));  // jmr
    BOOST_TEST((g->fields[3].row()->status == MeaningStatus::observed));      // dest:J
    BOOST_TEST(g->fields[3].row()->text.find("Junk Email") != std::string::npos);
    BOOST_TEST(g->fields[4].row()->text.find("Outlook rule") != std::string::npos);
    BOOST_TEST(g->fields[5].row()->text == "undocumented by Microsoft");  // ENG
}

// Exchange's organisation and cross-tenant fields, each under its own name,
// in Microsoft's casing whatever the paste's.
BOOST_AUTO_TEST_CASE(exchange_fields_each_under_its_own_name) {
    auto d = decode({
        {"X-MS-Exchange-Organization-AuthAs", "Anonymous"},
        {"x-ms-exchange-crosstenant-authas", "Anonymous"},
        {"X-MS-Exchange-Organization-AuthSource", "AM4PEPF00027A5F.eurprd04.prod.outlook.com"},
        {"X-MS-Exchange-CrossTenant-AuthSource", "AM4PEPF00027A5F.eurprd04.prod.outlook.com"},
        {"X-Ms-Exchange-Crosstenant-Fromentityheader", "HybridOnPrem"},
        {"X-MS-Exchange-Organization-AuthMechanism", "0A"},
        {"X-MS-Exchange-Organization-MessageDirectionality", "Originating"},
    });
    const SecurityGroup* org = d.report.find("X-MS-Exchange-Organization-AuthAs");
    const SecurityGroup* cross = d.report.find("X-MS-Exchange-CrossTenant-AuthAs");
    BOOST_REQUIRE((org != nullptr && cross != nullptr && org != cross));
    BOOST_TEST(cross->info->name == "X-MS-Exchange-CrossTenant-AuthAs");
    BOOST_TEST(cross->fields[0].key == "X-MS-Exchange-CrossTenant-AuthAs");
    BOOST_TEST((org->fields[0].row()->status == MeaningStatus::documented));
    BOOST_TEST((cross->fields[0].row()->status == MeaningStatus::observed));
    const SecurityGroup* entity = d.report.find("X-MS-Exchange-CrossTenant-FromEntityHeader");
    BOOST_REQUIRE(entity != nullptr);
    BOOST_TEST(entity->fields[0].key == "X-MS-Exchange-CrossTenant-FromEntityHeader");
    BOOST_TEST((entity->fields[0].row()->status == MeaningStatus::observed));
    BOOST_TEST(entity->fields[0].row()->text.starts_with("undocumented by Microsoft"));
    for (auto v : {"Hosted", "HybridOnPrem", "Internet"})
        BOOST_TEST(value_row("X-MS-Exchange-CrossTenant-FromEntityHeader", "=", v), v);
    for (auto v : {"Anonymous", "Internal", "External", "Partner"})
        BOOST_TEST(value_row("X-MS-Exchange-Organization-AuthAs", "=", v), v);
    BOOST_TEST(d.report.find("X-MS-Exchange-Organization-AuthMechanism")->fields[0].row()->text.starts_with("NTLM"));
    BOOST_TEST(auth_mechanism_name("02") == "MutualTLS");
    BOOST_TEST(auth_mechanism_name(" 0A ") == "NTLM");
    BOOST_TEST(auth_mechanism_name("0e").empty());
    BOOST_TEST(d.report.find("X-MS-Exchange-Organization-MessageDirectionality")->fields[0].row()->text ==
               "sent by the organisation");
}

// Other vendors' verdicts: SpamAssassin's decoded as it documents it,
// rspamd's action, and the undocumented ones raw.
BOOST_AUTO_TEST_CASE(other_vendors_verdicts) {
    auto d = decode({
        {"X-Spam-Status",
         "No, score=-0.9 required=10.0 tests=BAYES_00,FROM_EXCESS_BASE64, RCVD_IN_DNSWL_NONE,SPF_PASS "
         "shortcircuit=no autolearn=no autolearn_force=no version=3.4.2"},
        {"X-Spam-Flag", "NO"},
        {"X-Spamd-Result", "default: False [-3.76 / 15.00]; SIGNED_PGP(-2.00)[]; ARC_ALLOW(-1.00)[x:s=a:i=1]"},
        {"X-Rspamd-Action", "no action"},
        {"X-Proofpoint-Spam-Details", "rule=notspam policy=default score=0 mlxscore=0"},
        {"X-IronPort-AV", "E=Sophos;i=\"5.91,234,1647327600\"; d=\"scan'208\";a=\"164568558\""},
        {"X-IronPort-AV", "E=McAfee;i=\"6600,9927,11073\"; a=\"14703007\""},
        {"X-IronPort-Anti-Spam-Result", "A2E/BwD75y5e/xeKuApmHAEBAQEBBwE"},
        {"X-Barracuda-Spam-Score", "0.00"},
        {"X-Mimecast-Spam-Score", "0"},
    });
    const SecurityGroup* sa = d.report.find("X-Spam-Status");
    BOOST_REQUIRE(sa != nullptr);
    BOOST_TEST(sa->info->vendor == "SpamAssassin");
    BOOST_REQUIRE(sa->fields.size() >= 4U);
    BOOST_TEST(sa->fields[0].key == "verdict");
    BOOST_TEST(sa->fields[0].row()->text.starts_with("not spam"));
    BOOST_TEST(sa->fields[1].value == "-0.9");
    BOOST_TEST(sa->fields[2].key == "required");
    BOOST_TEST(sa->fields[3].value == "BAYES_00,FROM_EXCESS_BASE64, RCVD_IN_DNSWL_NONE,SPF_PASS");
    BOOST_TEST(d.report.find("X-Spam-Flag")->fields[0].row()->text == "not spam");
    // MailScanner's bare word names no score.
    auto bare = decode({{"X-Spam-Status", "Yes"}});
    BOOST_REQUIRE(bare.report.find("X-Spam-Status") != nullptr);
    BOOST_TEST(bare.report.find("X-Spam-Status")
                   ->fields.at(0)
                   .row()
                   ->text.starts_with("spam, by a filter that gives no score"));
    const SecurityGroup* spamd = d.report.find("X-Spamd-Result");
    BOOST_REQUIRE(spamd != nullptr);
    BOOST_REQUIRE_EQUAL(spamd->fields.size(), 4U);
    BOOST_TEST(spamd->fields[1].value == "-3.76");
    BOOST_TEST(spamd->fields[2].value == "15.00");
    BOOST_TEST(d.report.find("X-Rspamd-Action")->fields[0].row()->text == "allow the message");
    const SecurityGroup* pp = d.report.find("X-Proofpoint-Spam-Details");
    BOOST_REQUIRE(pp != nullptr);
    BOOST_TEST(pp->fields.size() == 4U);
    BOOST_TEST((pp->fields[0].row()->status == MeaningStatus::undocumented));
    const SecurityGroup* av = d.report.find("X-IronPort-AV");
    BOOST_REQUIRE(av != nullptr);
    BOOST_TEST(av->fields.size() == 2U);  // both scans, each once
    BOOST_TEST(av->info->vendor == "Cisco Secure Email (IronPort)");
    BOOST_TEST((d.report.find("X-IronPort-Anti-Spam-Result")->fields[0].row()->status == MeaningStatus::undocumented));
    BOOST_TEST(d.report.find("X-Barracuda-Spam-Score")->info->vendor == "Barracuda");
    BOOST_TEST(d.report.find("X-Mimecast-Spam-Score")->info->vendor == "Mimecast");
}

BOOST_AUTO_TEST_CASE(identifiers_and_latency) {
    auto d = decode({{"X-MS-Exchange-CrossTenant-Network-Message-Id", "aaaa"},
                     {"X-MS-Exchange-Organization-Network-Message-Id", "bbbb"},
                     {"X-MS-Exchange-CrossTenant-Id", "43083d15-7273-40c1-b7db-39efd9ccc17a"},
                     {"X-MS-Exchange-Transport-EndToEndLatency", "00:00:01.9961181"}});
    BOOST_TEST(d.report.ids.network_message_id->value == "bbbb");  // the organisation's own first
    BOOST_TEST(d.report.ids.tenant_id->value == "43083d15-7273-40c1-b7db-39efd9ccc17a");
    BOOST_TEST(*d.report.ids.end_to_end_latency_ms == 1996);
    BOOST_TEST(d.report.groups.empty());  // said apart, not among the verdicts
    BOOST_TEST(*latency_ms("1.02:03:04.5") == ((26 * 3600 + 3 * 60 + 4) * 1000 + 500));
    BOOST_TEST(!latency_ms("12:99:00"));
    BOOST_TEST(!latency_ms("soon"));
}

// The reason comment is cut out of the text; when it sat inside a word the
// two halves make one word again, as a reader of the text would take it,
// and words on either side of a spaced comment stay apart.
BOOST_AUTO_TEST_CASE(words_around_the_reason_comment) {
    auto a = parse_authentication_results("Authentication-Results",
                                          "dkim=pass header.d=exa(signature was verified)mple.com header.s=s1; "
                                          "spf=fail smtp.mailfrom=a.example (sender IP is 192.0.2.1) x=y");
    BOOST_REQUIRE_EQUAL(a.results.size(), 2U);
    const auto& dkim = a.results[0].properties;
    BOOST_REQUIRE_EQUAL(dkim.size(), 2U);
    BOOST_TEST(dkim[0].first == "header.d");
    BOOST_TEST(dkim[0].second == "example.com");
    BOOST_TEST(dkim[1].second == "s1");
    BOOST_TEST(*a.results[0].reason == "signature was verified");
    BOOST_TEST(auth_summary(a.results[0]) == "DKIM: pass with domain example.com (selector s1)");
    const auto& spf = a.results[1].properties;
    BOOST_REQUIRE_EQUAL(spf.size(), 2U);
    BOOST_TEST(spf[0].second == "a.example");
    BOOST_TEST(spf[1].first == "x");
    BOOST_TEST(auth_summary(a.results[1]) == "SPF: fail with IP 192.0.2.1 (mail from a.example)");
    // Moved elsewhere (as a report's vector does when it grows), the views hold.
    std::vector<AuthenticationResults> moved;
    moved.push_back(std::move(a));
    moved.emplace_back();
    moved.emplace_back();
    BOOST_TEST(moved[0].results[0].properties[0].second == "example.com");
}

// The chain stage keeps an ARC-Seal without its signature.
BOOST_AUTO_TEST_CASE(arc_seal_kept_without_its_signature) {
    BOOST_TEST(
        arc_seal_without_signature("i=1; a=rsa-sha256; d=microsoft.com; s=arcselector9901; cv=none; b=AAAA/BBB==") ==
        "i=1; a=rsa-sha256; d=microsoft.com; s=arcselector9901; cv=none");
    // Folded as written: the same as the unfolded value gives.
    for (std::string_view folded :
         {" i=1; a=rsa-sha256; d=google.com;\r\n s=arc-20160816;\r\n        cv=none;\r\n b=AAAA/BBB\r\n  CCC==",
          "\ti=2;\n a=rsa-sha256;  t=1700000000;\tcv=pass;\r\n b\r\n =AAAA; d=x.example  (a  comment; here) ;\r\n ",
          " b=AAAA;;\r\n ; i=3  ;  cv=fail\r\n"}) {
        BOOST_TEST(arc_seal_without_signature(folded) == arc_seal_without_signature(unfold_collapsed(folded)));
    }
    BOOST_TEST(
        arc_seal_without_signature(" i=1; a=rsa-sha256;\r\n d=google.com; s=x;\r\n\tcv=none;\r\n b=AAAA\r\n BBBB==") ==
        "i=1; a=rsa-sha256; d=google.com; s=x; cv=none");
    BOOST_TEST(is_security_header("arc-seal"));
    BOOST_TEST(is_security_header("X-Spam-Status"));
    BOOST_TEST(!is_security_header("X-Mailer"));
}

// The i= alone is read as the whole parse reads it.
BOOST_AUTO_TEST_CASE(arc_instance_as_the_whole_parse_reads_it) {
    for (std::string_view v :
         {"i=2; mx.google.com; dkim=pass header.i=@example.com", " i=1 ; mx.microsoft.com 1; spf=pass", "i=3",
          "i=3 (comment; with a semicolon); x=y", "(i=4); mx.example", "mx.example; i=1", "", "   ", "; i=1",
          "i=x; a=b", "i=12abc; a", "i=-1; a", "(unclosed; i=1"}) {
        BOOST_TEST_CONTEXT(v) {
            BOOST_TEST(arc_instance(v) == parse_authentication_results("ARC-Authentication-Results", v).arc_instance);
        }
    }
}

// What a writer with deferred fields asks for is what the full decode has:
// each group's fields from its values, the identifiers' values.
BOOST_AUTO_TEST_CASE(deferred_fields_are_those_of_the_full_decode) {
    std::vector<SignalHeader> headers = {
        {"X-Forefront-Antispam-Report", "CIP:198.51.100.7;CTRY:NL;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;DIR:INB;"},
        {"X-Microsoft-Antispam", "BCL:0;ARA:13230031|82310400017;"},
        {"X-MS-Exchange-Organization-SCL", "1"},
        {"X-MS-Exchange-Organization-SCL", "5"},
        {"Received-SPF",
         "Pass (protection.outlook.com: domain of contoso.com designates 198.51.100.7 as permitted "
         "sender) receiver=protection.outlook.com; client-ip=198.51.100.7; helo=mail.contoso.com;"},
        {"X-Spam-Status", "No, score=-1.9 required=5.0 tests=BAYES_00, DKIM_SIGNED autolearn=ham"},
        {"X-Spamd-Result", "default: False [-3.76 / 15.00]; R_SPF_ALLOW(-0.20)[+ip4:198.51.100.7]"},
        {"X-Proofpoint-Spam-Details", "rule=notspam policy=default score=0 spamscore=0"},
        {"Authentication-Results", "spf=pass (sender IP is 198.51.100.7) smtp.mailfrom=contoso.com; dmarc=pass"},
        {"X-MS-Exchange-CrossTenant-Id", "c00bc65c-ab3a-8e1f-5524-97ba7ac2cff4"},
        {"X-MS-Exchange-Organization-Network-Message-Id", "18d0fa91-a19a-f06b-c3dd-05389fad426f"},
    };
    SecurityReport full = decode_security(headers);
    SecurityReport deferred = decode_security(headers, SecurityDecode::deferred_fields);
    BOOST_REQUIRE_EQUAL(full.groups.size(), deferred.groups.size());
    for (std::size_t i = 0; i < full.groups.size(); ++i) {
        const SecurityGroup& a = full.groups[i];
        const SecurityGroup& b = deferred.groups[i];
        BOOST_TEST(a.info == b.info);
        BOOST_TEST(a.raw == b.raw, a.info->name);
        BOOST_TEST(b.fields.empty());
        auto fields = group_fields(b);
        BOOST_REQUIRE_EQUAL(fields.size(), a.fields.size());
        for (std::size_t k = 0; k < fields.size(); ++k) {
            BOOST_TEST(fields[k].key == a.fields[k].key);
            BOOST_TEST(fields[k].value == a.fields[k].value);
            BOOST_TEST(fields[k].row() == a.fields[k].row());
            BOOST_TEST(fields[k].meaning.enumerated == a.fields[k].meaning.enumerated);
        }
        BOOST_TEST(a.auth.results.size() == b.auth.results.size());
    }
    BOOST_TEST(full.groups.size() == 8U);  // both SCL values in one group
    BOOST_TEST(deferred.ids.tenant_id->value == full.ids.tenant_id->value);
    BOOST_TEST(deferred.ids.network_message_id->value == full.ids.network_message_id->value);
}

// A value seen before gives the results a first parse gives, viewing the
// value at hand (not a copy kept from before), also when a comment sat in
// a word.
BOOST_AUTO_TEST_CASE(results_seen_before_view_the_value_at_hand) {
    for (std::string_view text : {"mx.example.net; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a.example; "
                                  "dkim=pass header.d=a.example header.s=s1; dmarc=pass action=none "
                                  "header.from=a.example",
                                  "mx.example.net; spf=pass smtp.mail(comment)from=a.example"}) {
        for (int round = 0; round < 4; ++round) {
            std::vector<SignalHeader> headers = {{"Authentication-Results", std::string(text)}};  // its own buffer
            SecurityReport r = decode_security(headers);
            AuthenticationResults fresh = parse_authentication_results("Authentication-Results", headers[0].value);
            BOOST_REQUIRE_EQUAL(r.groups.size(), 1U);
            const auto& got = r.groups[0].auth;
            BOOST_TEST(got.authserv_id == fresh.authserv_id);
            BOOST_REQUIRE_EQUAL(got.results.size(), fresh.results.size());
            const std::string_view held = headers[0].value;
            auto inside = [&](std::string_view v) {
                return v.data() >= held.data() && v.data() + v.size() <= held.data() + held.size();
            };
            BOOST_TEST(inside(*got.authserv_id));
            for (std::size_t i = 0; i < fresh.results.size(); ++i) {
                const AuthResult& x = got.results[i];
                const AuthResult& y = fresh.results[i];
                BOOST_TEST(x.method == y.method);
                BOOST_TEST(x.result == y.result);
                BOOST_TEST(inside(x.result));
                BOOST_TEST(x.reason == y.reason);
                BOOST_TEST(x.properties == y.properties);
                BOOST_TEST(auth_summary(x) == auth_summary(y));
            }
        }
    }
}

// A dkim=none in a message that carries a DKIM-Signature now: the check
// ran before the signature was added (Exchange Online checks on receipt and
// signs on the way out), or did not see it; the text and JSON say so alike.
BOOST_AUTO_TEST_CASE(dkim_none_beside_a_signature) {
    const std::string head =
        "Received: from mail.example.com (mail.example.com [203.0.113.5]) by mx.example.net; "
        "Fri, 27 Oct 2023 13:42:22 +0000\n"
        "X-MS-Exchange-Authentication-Results: spf=fail (sender IP is 195.60.68.100) smtp.mailfrom=example.com; "
        "dkim=none (message not signed) header.d=none;dmarc=fail action=none header.from=example.com;\n";
    const std::string sig = "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=selector1; b=abc\n";
    auto dkim_meaning = [](const std::string& bytes) {
        auto trace = build_trace(split_header_block(bytes + "From: a@example.com\n\nbody\n"));
        BOOST_REQUIRE(trace.has_value());
        SecurityReport r = decode_security(trace->signals, SecurityDecode::full, {.dkim_signed = trace->dkim_signed});
        for (const auto& g : r.groups)
            for (const auto& x : g.auth.results)
                if (x.method == "dkim")  // read by Authentication-Results' rows, as the writers do
                    return std::string(result_meaning(*header_info("Authentication-Results"), g.auth, x).best()->text);
        return std::string("<none>");
    };
    BOOST_TEST(dkim_meaning(head) == "the message is not signed");
    BOOST_TEST(dkim_meaning(sig + head).starts_with("the message was not signed when this check ran"));
}

// Exchange Online's stamp on its own senders' mail, before any check (no
// authserv-id, no SPF check of a sender IP): its "none" results say nothing
// of the domain. EOP's inbound results, also without an authserv-id, name
// the IP they checked and keep their meanings.
BOOST_AUTO_TEST_CASE(unchecked_results_are_no_finding) {
    const HeaderInfo* info = header_info("Authentication-Results");
    BOOST_REQUIRE(info != nullptr);
    auto meaning = [&](const AuthenticationResults& a, std::string_view method) {
        for (const auto& r : a.results)
            if (r.method == method) return std::string(result_meaning(*info, a, r).best()->text);
        return std::string("<none>");
    };
    auto submitted = parse_authentication_results(
        "Authentication-Results",
        " dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;");
    BOOST_TEST(meaning(submitted, "dmarc").starts_with("not checked"));
    BOOST_TEST(meaning(submitted, "dkim").starts_with("not checked"));
    auto no_ip = parse_authentication_results("Authentication-Results",
                                              " spf=none (sender IP is ) smtp.mailfrom=a@example.com;");
    BOOST_TEST(meaning(no_ip, "spf").starts_with("not checked"));
    auto inbound = parse_authentication_results(
        "Authentication-Results",
        " spf=pass (sender IP is 203.0.113.88) smtp.mailfrom=example.com; dkim=none "
        "(message not signed) header.d=none;dmarc=none action=none header.from=example.com;");
    BOOST_TEST(meaning(inbound, "dkim") == "the message is not signed");
    BOOST_TEST(meaning(inbound, "dmarc").starts_with("no DMARC policy found for the From domain"));
    auto receiver = parse_authentication_results("Authentication-Results",
                                                 " mx.example.net; dkim=none; dmarc=none header.from=example.com");
    BOOST_TEST(meaning(receiver, "dmarc").starts_with("no DMARC policy found for the From domain"));
    // Exchange Online's ARC set on its own senders' mail: bare "none" results.
    auto arc = parse_authentication_results("ARC-Authentication-Results",
                                            "i=1; mx.microsoft.com 1; spf=none; dmarc=none; dkim=none; arc=none");
    BOOST_TEST(meaning(arc, "dmarc").starts_with("not checked"));
    BOOST_TEST(meaning(arc, "dkim").starts_with("not checked"));
    BOOST_TEST(meaning(arc, "spf").starts_with("not checked"));
    auto arc_checked = parse_authentication_results(
        "ARC-Authentication-Results",
        "i=1; mx.microsoft.com 1; spf=none (sender ip is 192.0.2.1) smtp.mailfrom=example.com; dmarc=none "
        "action=none header.from=example.com; dkim=none (message not signed); arc=none");
    BOOST_TEST(meaning(arc_checked, "dmarc").starts_with("no DMARC policy found"));
    BOOST_TEST(meaning(arc_checked, "dkim") == "the message is not signed");
    // Its passes on its own senders' outgoing mail name no sender IP: asserted, not checked.
    auto arc_outbound = parse_authentication_results(
        "ARC-Authentication-Results",
        "i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=synaptics.example; dmarc=pass action=none "
        "header.from=synaptics.example; dkim=pass header.d=synaptics.example; arc=none");
    for (const char* method : {"spf", "dkim", "dmarc"})
        BOOST_TEST(meaning(arc_outbound, method).starts_with("pass as Exchange Online stamps its own senders'"),
                   method);
    auto arc_inbound = parse_authentication_results(
        "ARC-Authentication-Results",
        "i=1; mx.microsoft.com 1; spf=pass (sender ip is 198.51.100.7) smtp.mailfrom=arm.example; dkim=pass "
        "(signature was verified) header.d=arm.example; dmarc=pass action=none header.from=arm.example");
    BOOST_TEST(meaning(arc_inbound, "spf") == "the sending IP is allowed by the domain's SPF record");
    BOOST_TEST(meaning(arc_inbound, "dkim") == "a DKIM signature verified");
    // The same stamp with the recipient's domain where the authserv-id goes.
    auto outbound = parse_authentication_results(
        "Authentication-Results",
        " kernel.org; dkim=none (message not signed) header.d=none;kernel.org; dmarc=none action=none "
        "header.from=example.com;");
    BOOST_TEST(meaning(outbound, "dmarc").starts_with("not checked"));
    BOOST_TEST(meaning(outbound, "dkim").starts_with("not checked"));
}

// Its Received-SPF on the same mail, "None" for the domain without a client
// IP, is unchecked too where its unchecked stamp names that domain or another
// Received-SPF of the message checked the domain's record; EOP's inbound
// None for a domain with no record keeps its meaning.
BOOST_AUTO_TEST_CASE(unchecked_received_spf_none) {
    // The meaning as the text writer decodes it, checked against the JSON
    // writer's way (fields deferred, then group_fields): one answer.
    auto spf_meaning_of = [](const std::vector<SignalHeader>& headers, std::size_t nth) {
        SecurityReport r = decode_security(headers);
        SecurityReport deferred = decode_security(headers, SecurityDecode::deferred_fields);
        std::size_t seen = 0;
        for (std::size_t k = 0; k < r.groups.size(); ++k)
            if (r.groups[k].info->name == "Received-SPF" && seen++ == nth) {
                std::string text(r.groups[k].fields.front().row()->text);
                BOOST_TEST(std::string(group_fields(deferred.groups[k]).front().row()->text) == text);
                return text;
            }
        return std::string("<none>");
    };
    const std::string none =
        "None (protection.outlook.com: microsoft.com does not designate\n permitted sender hosts)";
    BOOST_TEST(spf_meaning_of({{"Authentication-Results", "spf=none (sender IP is )\n smtp.mailfrom=decui@microsoft.com;"},
                               {"Received-SPF", none}},
                              0)
                   .starts_with("not checked"));
    // Another domain's stamp, or a checked one, changes nothing.
    BOOST_TEST(spf_meaning_of({{"Authentication-Results", "spf=none (sender IP is ) smtp.mailfrom=a@example.com;"},
                               {"Received-SPF", none}},
                              0) == "no SPF record, or no domain to check");
    BOOST_TEST(spf_meaning_of({{"Authentication-Results",
                                "spf=none (sender IP is 185.132.181.12) smtp.mailfrom=microsoft.com;"},
                               {"Received-SPF", none}},
                              0) == "no SPF record, or no domain to check");
    // A receiver's own None names the client it checked.
    BOOST_TEST(spf_meaning_of({{"Authentication-Results", "spf=none (sender IP is ) smtp.mailfrom=decui@microsoft.com;"},
                               {"Received-SPF", none + " receiver=protection.outlook.com; client-ip=192.0.2.1;"}},
                              0) == "no SPF record, or no domain to check");
    // Its ARC set on the same mail, naming the domain with no sender IP.
    BOOST_TEST(spf_meaning_of({{"ARC-Seal", "i=1; a=rsa-sha256; s=arcselector9901; d=microsoft.com; cv=none; b=x"},
                               {"ARC-Authentication-Results",
                                "i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=ufl.edu; dmarc=pass action=none "
                                "header.from=ufl.edu; dkim=pass header.d=ufl.edu; arc=none"},
                               {"Received-SPF", "None (protection.outlook.com: ufl.edu does not designate permitted "
                                                "sender hosts)"}},
                              0)
                   .starts_with("not checked"));
    // The recipient tenant's check of the same domain's record.
    const std::vector<SignalHeader> two = {
        {"Received-SPF",
         "Pass (protection.outlook.com: domain of sports-group.dk designates 40.107.13.122 as permitted sender) "
         "receiver=protection.outlook.com; client-ip=40.107.13.122; helo=EUR01-HE1-obe.outbound.protection.outlook.com;"},
        {"Received-SPF", "None (protection.outlook.com: sports-group.dk does not designate permitted sender hosts)"}};
    BOOST_TEST(spf_meaning_of(two, 1).starts_with("not checked"));
}

// A Forefront report's SCL of outbound mail is the outbound policy's, and
// its IPV:CAL beside an SFV that says filtering ran skipped nothing; inbound
// reports keep the documented readings.
BOOST_AUTO_TEST_CASE(forefront_fields_read_with_their_report) {
    auto meaning_of = [](std::string_view report, std::string_view key) {
        const std::vector<SignalHeader> headers = {{"X-Forefront-Antispam-Report", std::string(report)}};
        SecurityReport r = decode_security(headers);
        SecurityReport deferred = decode_security(headers, SecurityDecode::deferred_fields);
        std::string text = "<none>", later = "<none>";
        for (const auto& f : r.groups.front().fields)
            if (f.key == key) text = f.row()->text;
        for (const auto& f : group_fields(deferred.groups.front()))
            if (f.key == key) later = f.row()->text;
        BOOST_TEST(later == text);  // the JSON writer's way: the same answer
        return text;
    };
    BOOST_TEST(meaning_of("CIP:255.255.255.255;CTRY:;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;DIR:OUT;", "SCL")
                   .starts_with("spam: outbound mail at this level goes out through the high-risk delivery pool"));
    BOOST_TEST(meaning_of("CIP:192.0.2.1;SCL:1;IPV:NLI;SFV:NSPM;DIR:OUT;", "SCL")
                   .starts_with("not spam: outbound mail"));
    BOOST_TEST(meaning_of("CIP:192.0.2.1;SCL:5;IPV:NLI;SFV:SPM;DIR:INB;", "SCL")
                   .starts_with("spam: inbound mail at this level goes to Junk Email"));
    BOOST_TEST(meaning_of("CIP:165.204.84.17;SCL:1;IPV:CAL;SFV:NSPM;DIR:OUT;", "IPV")
                   .find("yet this report's SFV says filtering ran") != std::string::npos);
    // Two SCL fields, one of them -1 beside CAL: filtering was skipped, and
    // the direction does not say which SCL it describes.
    BOOST_TEST(meaning_of("CIP:63.35.35.123;IPV:CAL;SCL:-1;SFV:NSPM;DIR:OUT;SCL:1", "IPV")
                   .starts_with("the source IP is on the IP Allow List"));
    // Each of the two SCLs is one pass's, neither direction's.
    BOOST_TEST(meaning_of("CIP:63.35.35.123;IPV:CAL;SCL:-1;SFV:NSPM;DIR:OUT;SCL:1", "SCL")  // the last SCL's
                   .starts_with("not spam, in one of the report's two passes"));
    BOOST_TEST(meaning_of("CIP:192.0.2.1;SCL:1;DIR:OUT;SCL:5;", "SCL").starts_with("spam, in one of the report's"));
    BOOST_TEST(meaning_of("CIP:165.204.84.17;SCL:-1;IPV:CAL;SFV:SKN;DIR:INB;", "IPV")
                   .starts_with("the source IP is on the IP Allow List (for which Microsoft skips spam filtering)"));
}

// Outlook.com's consumer tenant on mail written in one of its mailboxes:
// AuthAs Anonymous and FromEntityHeader Internet do not mean what they do
// elsewhere; without the mailbox (its inbound mail), they do.
BOOST_AUTO_TEST_CASE(consumer_tenant_mailbox_values) {
    const std::vector<SignalHeader> headers = {
        {"X-MS-Exchange-CrossTenant-AuthAs", "Anonymous"},
        {"X-MS-Exchange-CrossTenant-FromEntityHeader", "Internet"},
        {"X-MS-Exchange-CrossTenant-Id", "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa"}};
    auto meanings = [&](bool mailbox, SecurityDecode how) {
        SecurityReport r = decode_security(headers, how, {.written_in_mailbox = mailbox});
        std::vector<std::string> out;
        for (const auto& g : r.groups)
            for (const auto& f : how == SecurityDecode::full ? g.fields : group_fields(g)) out.emplace_back(f.row()->text);
        return out;
    };
    for (SecurityDecode how : {SecurityDecode::full, SecurityDecode::deferred_fields}) {
        auto written = meanings(true, how);
        BOOST_REQUIRE_EQUAL(written.size(), 2U);
        BOOST_TEST(written[0].find("here it does not mean the sender did not authenticate") != std::string::npos);
        BOOST_TEST(written[1].find("here it does not mean internet mail or Direct Send") != std::string::npos);
        auto inbound = meanings(false, how);
        BOOST_REQUIRE_EQUAL(inbound.size(), 2U);
        BOOST_TEST(inbound[0].find("the sender did not authenticate") != std::string::npos);
        BOOST_TEST(inbound[0].find("does not mean") == std::string::npos);
    }
}
