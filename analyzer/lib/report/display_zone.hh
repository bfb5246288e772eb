// Time zones for display (--tz), through ICU: UTC, the local zone or an
// IANA name. Analysis itself is always in UTC.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.hh"
#include "chain/trace.hh"

namespace hopscope {

class DisplayZone {
  public:
    // "UTC", "local" or an IANA name such as "Europe/Paris".
    static Result<DisplayZone> make(std::string_view name);

    // "2024-03-30 02:35:25" in the zone, plus " +0100" unless the zone is UTC.
    [[nodiscard]] std::string format(UnixTime t) const;
    [[nodiscard]] const std::string& label() const { return label_; }

  private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
    std::string label_;
};

}  // namespace hopscope
