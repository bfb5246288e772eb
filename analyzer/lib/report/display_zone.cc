#include "report/display_zone.hh"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdio>
#include <ctime>

namespace hopscope {

struct DisplayZone::Impl {
    std::unique_ptr<icu::TimeZone> zone;  // null for UTC
};

Result<DisplayZone> DisplayZone::make(std::string_view name) {
    DisplayZone dz;
    auto impl = std::make_shared<Impl>();
    if (name.empty() || name == "UTC" || name == "utc" || name == "Z") {
        dz.label_ = "UTC";
    } else if (name == "local") {
        impl->zone.reset(icu::TimeZone::createDefault());
        icu::UnicodeString id;
        impl->zone->getID(id);
        id.toUTF8String(dz.label_);
    } else {
        icu::UnicodeString id =
            icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
        impl->zone.reset(icu::TimeZone::createTimeZone(id));
        icu::UnicodeString got;
        impl->zone->getID(got);
        if (got == icu::UnicodeString("Etc/Unknown"))
            return make_error("unknown time zone '" + std::string(name) +
                              "' (use UTC, local or an IANA name such as Europe/Paris)");
        dz.label_ = std::string(name);
    }
    dz.impl_ = std::move(impl);
    return dz;
}

std::string DisplayZone::format(UnixTime t) const {
    int offset_s = 0;
    if (impl_ && impl_->zone) {
        int32_t raw = 0;
        int32_t dst = 0;
        UErrorCode status = U_ZERO_ERROR;
        impl_->zone->getOffset(static_cast<UDate>(t) * 1000.0, false, raw, dst, status);
        if (U_SUCCESS(status)) offset_s = (raw + dst) / 1000;
    }
    auto tt = static_cast<std::time_t>(t + offset_s);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    std::array<char, 48> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string out = buf.data();
    if (impl_ && impl_->zone) {
        int m = offset_s < 0 ? -offset_s / 60 : offset_s / 60;
        (void)std::snprintf(buf.data(), buf.size(), " %c%02d%02d", offset_s < 0 ? '-' : '+', m / 60, m % 60);
        out += buf.data();
    }
    return out;
}

}  // namespace hopscope
