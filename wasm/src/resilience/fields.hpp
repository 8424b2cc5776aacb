// Reading configs and snapshots field by field with the path in every message
// ("breaker.window[3].at: expected a non-negative integer"). The first error wins; every read after
// it is a no-op returning false, so validation code reads straight through without nesting.
// The path is one string extended and cut back as reading descends (Scope), so a read that
// succeeds builds no message (the module's size and the hot restore path both gain).
// Internal to wasm/src/resilience.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/resilience/json_reader.hpp"

namespace edgescope::resilience {

constexpr std::int64_t kMaxSafeInt = 9007199254740991;  // 2^53 - 1: what a JS number holds exactly

class Fields {
 public:
  // Parses `text` as the document at `root` ("config", "breaker", ...).
  Fields(std::string_view text, const char* root);

  const json::Value& doc() const { return doc_; }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Fails at the current path (with `key` appended when given).
  bool fail(const std::string& what, const char* key = nullptr);

  // Descends into a member or an element for the Scope's life.
  class Scope {
   public:
    Scope(Fields& f, const char* key) : f_(f), len_(f.path_.size()) { f.path_.append(".").append(key); }
    // An element: its index is written only into a message (elements are many, failures one).
    Scope(Fields& f, std::size_t index) : f_(f), len_(f.path_.size()) {
      f.path_.push_back('\x01');
      f.indices_.push_back(index);
    }
    ~Scope() {
      if (f_.path_.size() > len_ && f_.path_[len_] == '\x01') f_.indices_.pop_back();
      f_.path_.resize(len_);
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Fields& f_;
    std::size_t len_;
  };

  // The value at the current path must be an object with only the listed keys.
  bool object(const json::Value* value, std::initializer_list<const char*> allowed);
  bool array(const json::Value* value, std::size_t max_items);
  // The member, or nullptr when absent (an error when `required`).
  const json::Value* get(const json::Value& object, const char* key, bool required);

  // Keyed reads: absent and not required leaves `out` as it was (its default) and succeeds.
  bool integer(const json::Value& object, const char* key, bool required, std::int64_t min, std::int64_t max, std::int64_t& out);
  bool count(const json::Value& object, const char* key, bool required, std::uint32_t max, std::uint32_t& out);
  bool time(const json::Value& object, const char* key, std::int64_t& out) {
    return integer(object, key, true, 0, kMaxSafeInt, out);
  }
  // `range` says the bounds in words for the message (no double formatting in the core).
  bool number(const json::Value& object, const char* key, bool required, double min, double max, const char* range, double& out);
  bool boolean(const json::Value& object, const char* key, bool& out);
  // Non-empty, at most max_bytes (the reader checked UTF-8 already).
  bool text(const json::Value& object, const char* key, bool required, std::size_t max_bytes, std::string& out);
  // One of `names` (index into them in `out`).
  bool choice(const json::Value& object, const char* key, std::initializer_list<const char*> names, int& out);
  bool version_and_kind(const char* kind);

  // Value reads at the current path.
  bool integer_value(const json::Value& value, std::int64_t min, std::int64_t max, std::int64_t& out);
  bool number_value(const json::Value& value, double min, double max, const char* range, double& out);

 private:
  json::Value doc_;
  std::string path_;                  // '\x01' marks an element, its index in indices_
  std::vector<std::size_t> indices_;
  std::string error_;
};

}  // namespace edgescope::resilience
