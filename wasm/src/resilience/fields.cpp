#include "fields.hpp"

#include <cmath>

#include "edgescope/json_writer.hpp"

namespace edgescope::resilience {

Fields::Fields(std::string_view text, const char* root) : path_(root) {
  std::string why;
  if (!json::parse(text, doc_, why)) fail(why);
}

bool Fields::fail(const std::string& what, const char* key) {
  if (error_.empty()) {
    std::size_t element = 0;
    for (const char c : path_) {
      if (c == '\x01') error_.append("[").append(edgescope::decimal(indices_[element++])).append("]");
      else error_.push_back(c);
    }
    if (key) error_.append(".").append(key);
    error_.append(": ").append(what);
  }
  return false;
}

bool Fields::object(const json::Value* value, std::initializer_list<const char*> allowed) {
  if (!ok()) return false;
  if (!value || value->type != json::Type::Object) return fail("expected an object");
  for (std::size_t i = 0; i < value->keys.size(); ++i) {
    bool known = false;
    for (const char* key : allowed) known = known || value->keys[i] == key;
    if (!known) return fail("unknown field", value->keys[i].c_str());
  }
  return true;
}

bool Fields::array(const json::Value* value, std::size_t max_items) {
  if (!ok()) return false;
  if (!value || value->type != json::Type::Array) return fail("expected an array");
  if (value->items.size() > max_items) {
    return fail(edgescope::decimal(value->items.size()) + " items exceed the limit of " + edgescope::decimal(max_items));
  }
  return true;
}

const json::Value* Fields::get(const json::Value& object, const char* key, bool required) {
  if (!ok()) return nullptr;
  const json::Value* found = object.find(key);
  if (!found && required) fail("missing", key);
  return found;
}

bool Fields::integer_value(const json::Value& value, std::int64_t min, std::int64_t max, std::int64_t& out) {
  if (!ok()) return false;
  if (value.type != json::Type::Number || !value.integral || (value.integer < 0 && min >= 0)) {
    return fail(min >= 0 ? "expected a non-negative integer" : "expected an integer");
  }
  if (value.integer < min || value.integer > max) {
    return fail(edgescope::decimal(value.integer) + " out of range (from " + edgescope::decimal(min) + " to " + edgescope::decimal(max) + ")");
  }
  out = value.integer;
  return true;
}

bool Fields::number_value(const json::Value& value, double min, double max, const char* range, double& out) {
  if (!ok()) return false;
  if (value.type != json::Type::Number || !std::isfinite(value.number)) return fail("expected a number");
  if (!(value.number >= min && value.number <= max)) return fail(std::string("out of range (expected a number ") + range + ")");
  out = value.number;
  return true;
}

bool Fields::integer(const json::Value& object, const char* key, bool required, std::int64_t min, std::int64_t max,
                     std::int64_t& out) {
  const json::Value* v = get(object, key, required);
  if (!v) return ok();
  Scope s(*this, key);
  return integer_value(*v, min, max, out);
}

bool Fields::count(const json::Value& object, const char* key, bool required, std::uint32_t max, std::uint32_t& out) {
  std::int64_t wide = out;
  if (!integer(object, key, required, 0, max, wide)) return false;
  out = static_cast<std::uint32_t>(wide);
  return true;
}

bool Fields::number(const json::Value& object, const char* key, bool required, double min, double max, const char* range,
                    double& out) {
  const json::Value* v = get(object, key, required);
  if (!v) return ok();
  Scope s(*this, key);
  return number_value(*v, min, max, range, out);
}

bool Fields::boolean(const json::Value& object, const char* key, bool& out) {
  const json::Value* v = get(object, key, true);
  if (!v) return false;
  if (v->type != json::Type::Bool) return fail("expected true or false", key);
  out = v->boolean;
  return true;
}

bool Fields::text(const json::Value& object, const char* key, bool required, std::size_t max_bytes, std::string& out) {
  const json::Value* v = get(object, key, required);
  if (!v) return ok();
  if (v->type != json::Type::String || v->text.empty()) return fail("expected a non-empty string", key);
  if (v->text.size() > max_bytes) return fail("longer than " + edgescope::decimal(max_bytes) + " bytes", key);
  out = v->text;
  return true;
}

bool Fields::choice(const json::Value& object, const char* key, std::initializer_list<const char*> names, int& out) {
  const json::Value* v = get(object, key, false);
  if (!v) return ok();
  int i = 0;
  std::string expected;
  for (const char* name : names) {
    if (v->type == json::Type::String && v->text == name) {
      out = i;
      return true;
    }
    expected.append(i == 0 ? "expected '" : " or '").append(name).append("'");
    ++i;
  }
  return fail(expected, key);
}

bool Fields::version_and_kind(const char* kind) {
  std::int64_t version = 0;
  if (integer(doc_, "version", true, 0, kMaxSafeInt, version) && version != 1) {
    return fail("unknown version " + edgescope::decimal(version) + " (this build reads version 1)", "version");
  }
  const json::Value* k = get(doc_, "kind", true);
  if (ok() && (k->type != json::Type::String || k->text != kind)) return fail(std::string("expected '") + kind + "'", "kind");
  return ok();
}

}  // namespace edgescope::resilience
