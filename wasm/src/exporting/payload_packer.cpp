#include "edgescope/payload_packer.hpp"

namespace edgescope {

PayloadPacker::PayloadPacker(Signal signal, std::string open, std::string close,
                             RecordArray<SectionFrame> sections, const EncodeOptions& options)
    : signal_(signal),
      open_(std::move(open)),
      close_(std::move(close)),
      frames_(std::move(sections)),
      options_(options),
      sections_(frames_.size()),
      size_(open_.size() + close_.size()) {}

std::size_t PayloadPacker::cost(std::size_t section, std::size_t record_bytes, const RecordGroup* group) const {
  const Section& s = sections_[section];
  const std::size_t id = group ? group->id : kNoGroup;
  if (!s.body.empty() && s.group == id) return 1 + record_bytes;  // "," + record inside the open item
  const SectionFrame& frame = frames_[section];
  // A new item: the section frame if the section is empty, else a ","; then the group frame. A
  // group still open in this section was already counted with its close.
  const std::size_t lead = s.body.empty() ? frame.open.size() + frame.close.size() : 1;
  const std::size_t group_frame = group ? group->open.size() + group->close.size() : 0;
  return lead + group_frame + record_bytes;
}

bool PayloadPacker::fits_alone(std::size_t section, std::size_t record_bytes, const RecordGroup* group) const {
  const SectionFrame& frame = frames_[section];
  const std::size_t group_frame = group ? group->open.size() + group->close.size() : 0;
  return open_.size() + close_.size() + frame.open.size() + frame.close.size() + group_frame + record_bytes <=
         options_.max_payload_bytes;
}

void PayloadPacker::add(std::size_t section, const std::string& record, const RecordGroup* group) {
  const bool record_limit_hit = options_.max_records_per_payload != 0 && records_ >= options_.max_records_per_payload;
  if (records_ > 0 && (record_limit_hit || size_ + cost(section, record.size(), group) > options_.max_payload_bytes)) {
    seal();
  }
  size_ += cost(section, record.size(), group);
  Section& s = sections_[section];
  const std::size_t id = group ? group->id : kNoGroup;
  if (!s.body.empty() && s.group == id) {
    s.body.push_back(',');
  } else {
    if (!s.body.empty()) {
      s.body.append(s.group_close);
      s.body.push_back(',');
    }
    s.group = id;
    s.group_close = group ? group->close : std::string();
    if (group) s.body.append(group->open);
  }
  s.body.append(record);
  ++records_;
}

void PayloadPacker::seal() {
  if (records_ == 0) return;
  Payload payload;
  payload.signal = signal_;
  payload.records = records_;
  payload.batch_id_at = batch_id_at_;
  payload.body.reserve(size_);
  payload.body.append(open_);
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    Section& s = sections_[i];
    if (s.body.empty()) continue;
    payload.body.append(frames_[i].open);
    payload.body.append(s.body);
    payload.body.append(s.group_close);
    payload.body.append(frames_[i].close);
    s.body.clear();  // keeps the capacity for the next payload
    s.group = kNoGroup;
    s.group_close.clear();
  }
  payload.body.append(close_);
  done_.push_back(std::move(payload));
  size_ = open_.size() + close_.size();
  records_ = 0;
}

RecordArray<Payload> PayloadPacker::finish() {
  seal();
  RecordArray<Payload> out;
  out.swap(done_);
  return out;
}

}  // namespace edgescope
