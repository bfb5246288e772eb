// Result<T>: a value or an error message that names the bad input.
// Only the std::expected subset is used so the alias can switch to
// std::expected once the project moves to C++23.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace hopscope {

struct Error {
    std::string message;
};

template <typename T>
class Result {
  public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Error err) : v_(std::move(err)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    [[nodiscard]] T& value() { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    [[nodiscard]] const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

inline Error make_error(std::string msg) {
    return Error{std::move(msg)};
}

}  // namespace hopscope
