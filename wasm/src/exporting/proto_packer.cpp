#include "edgescope/proto_packer.hpp"

namespace edgescope {

using proto::len_field_size;

namespace {
// Field numbers shared by the three signals' messages (see proto_packer.hpp).
constexpr std::uint32_t kResourceX = 1;  // Export*ServiceRequest.resource_*
constexpr std::uint32_t kResource = 1;   // Resource*.resource
constexpr std::uint32_t kScopeX = 2;     // Resource*.scope_*
constexpr std::uint32_t kScope = 1;      // Scope*.scope
constexpr std::uint32_t kRecord = 2;     // Scope*.spans / metrics / log_records
constexpr std::uint32_t kPoint = 1;      // Sum / Gauge / Histogram .data_points
}  // namespace

ProtoPacker::ProtoPacker(Signal signal, std::string resource, std::string scope, const EncodeOptions& options)
    : signal_(signal), resource_(std::move(resource)), scope_(std::move(scope)), options_(options) {}

std::size_t ProtoPacker::group_bytes(const ProtoGroup& g, std::size_t points) {
  const std::size_t metric = g.head.size() + len_field_size(g.data_field, points + g.tail.size());
  return len_field_size(kRecord, metric);
}

std::size_t ProtoPacker::total(std::size_t records) const {
  const std::size_t scope_x = len_field_size(kScope, scope_.size()) + records;
  const std::size_t resource_x = len_field_size(kResource, resource_.size()) + len_field_size(kScopeX, scope_x);
  return len_field_size(kResourceX, resource_x);
}

std::size_t ProtoPacker::records_bytes() const {
  if (!run_open_) return closed_;
  const Run& run = runs_.back();
  return closed_ + group_bytes(*run.group, body_.size() - run.begin);
}

bool ProtoPacker::fits_alone(std::size_t record_bytes, const ProtoGroup* group) const {
  const std::size_t field = len_field_size(group ? kPoint : kRecord, record_bytes);
  return total(group ? group_bytes(*group, field) : field) <= options_.max_payload_bytes;
}

std::string& ProtoPacker::add(std::size_t record_bytes, const ProtoGroup* group) {
  const std::size_t field = len_field_size(group ? kPoint : kRecord, record_bytes);
  const bool joins = group && run_open_ && runs_.back().group->id == group->id;
  const auto after = [&] {
    if (joins) return closed_ + group_bytes(*group, body_.size() - runs_.back().begin + field);
    return records_bytes() + (group ? group_bytes(*group, field) : field);
  };
  const bool record_limit_hit = options_.max_records_per_payload != 0 && records_ >= options_.max_records_per_payload;
  if (records_ > 0 && (record_limit_hit || total(after()) > options_.max_payload_bytes)) seal();
  if (!(group && run_open_ && runs_.back().group->id == group->id)) {
    if (run_open_) {  // the open run ends: its frame is now fixed
      closed_ = records_bytes();
      runs_.back().end = body_.size();
      run_open_ = false;
    }
    if (group) {
      runs_.push_back(Run{group, body_.size(), body_.size()});
      run_open_ = true;
    } else {
      closed_ += field;
    }
  }
  proto::append_tag(body_, group ? kPoint : kRecord, proto::WireType::Len);
  proto::append_varint(body_, record_bytes);
  ++records_;
  return body_;
}

void ProtoPacker::seal() {
  if (records_ == 0) return;
  if (run_open_) {
    closed_ = records_bytes();
    runs_.back().end = body_.size();
    run_open_ = false;
  }
  Payload payload;
  payload.signal = signal_;
  payload.records = records_;
  std::string& out = payload.body;
  out.reserve(total(closed_));
  const std::size_t scope_x = len_field_size(kScope, scope_.size()) + closed_;
  const std::size_t resource_x = len_field_size(kResource, resource_.size()) + len_field_size(kScopeX, scope_x);
  proto::append_tag(out, kResourceX, proto::WireType::Len);
  proto::append_varint(out, resource_x);
  proto::append_tag(out, kResource, proto::WireType::Len);
  proto::append_varint(out, resource_.size());
  out.append(resource_);
  proto::append_tag(out, kScopeX, proto::WireType::Len);
  proto::append_varint(out, scope_x);
  proto::append_tag(out, kScope, proto::WireType::Len);
  proto::append_varint(out, scope_.size());
  out.append(scope_);
  // Records outside runs are copied as they are; each run gets its Metric frame around it.
  std::size_t at = 0;
  for (const Run& run : runs_) {
    out.append(body_, at, run.begin - at);
    const ProtoGroup& g = *run.group;
    const std::size_t data = run.end - run.begin + g.tail.size();
    proto::append_tag(out, kRecord, proto::WireType::Len);
    proto::append_varint(out, g.head.size() + len_field_size(g.data_field, data));
    out.append(g.head);
    proto::append_tag(out, g.data_field, proto::WireType::Len);
    proto::append_varint(out, data);
    out.append(body_, run.begin, run.end - run.begin);
    out.append(g.tail);
    at = run.end;
  }
  out.append(body_, at, std::string::npos);
  done_.push_back(std::move(payload));
  body_.clear();  // keeps the capacity for the next payload
  runs_.clear();
  closed_ = 0;
  records_ = 0;
}

RecordArray<Payload> ProtoPacker::finish() {
  seal();
  RecordArray<Payload> out;
  out.swap(done_);
  return out;
}

void pack_proto_record(ProtoPacker& packer, const ProtoGroup* group, Signal signal, std::size_t index,
                       const void* record, EmitRecord emit, proto::ProtoSink& sink, OversizeLedger& ledger,
                       Stats& stats) {
  bool compact = false;
  sink.measure();
  emit(record, false, sink);
  if (!packer.fits_alone(sink.size(), group)) {
    compact = true;
    sink.measure();
    emit(record, true, sink);
    if (!packer.fits_alone(sink.size(), group)) {
      ledger.count_dropped(signal, index, stats);
      return;
    }
    ledger.count_shrunk(signal, index, stats);
  }
  sink.write_to(packer.add(sink.size(), group));
  emit(record, compact, sink);
}

}  // namespace edgescope
