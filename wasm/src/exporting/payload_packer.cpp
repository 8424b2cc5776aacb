#include "edgescope/payload_packer.hpp"

namespace edgescope {

PayloadPacker::PayloadPacker(Signal signal, std::string open, std::string close,
                             std::vector<SectionFrame> sections, const EncodeOptions& options)
    : signal_(signal),
      open_(std::move(open)),
      close_(std::move(close)),
      frames_(std::move(sections)),
      options_(options),
      bodies_(frames_.size()),
      size_(open_.size() + close_.size()) {}

std::size_t PayloadPacker::cost(std::size_t section, std::size_t record_bytes) const {
  const SectionFrame& frame = frames_[section];
  return bodies_[section].empty() ? frame.open.size() + record_bytes + frame.close.size() : record_bytes + 1;
}

bool PayloadPacker::fits_alone(std::size_t section, std::size_t record_bytes) const {
  const SectionFrame& frame = frames_[section];
  return open_.size() + close_.size() + frame.open.size() + record_bytes + frame.close.size() <=
         options_.max_payload_bytes;
}

void PayloadPacker::add(std::size_t section, const std::string& record) {
  const bool record_limit_hit = options_.max_records_per_payload != 0 && records_ >= options_.max_records_per_payload;
  if (records_ > 0 && (record_limit_hit || size_ + cost(section, record.size()) > options_.max_payload_bytes)) {
    seal();
  }
  size_ += cost(section, record.size());
  std::string& body = bodies_[section];
  if (!body.empty()) body.push_back(',');
  body.append(record);
  ++records_;
}

void PayloadPacker::seal() {
  if (records_ == 0) return;
  Payload payload;
  payload.signal = signal_;
  payload.records = records_;
  payload.body.reserve(size_);
  payload.body.append(open_);
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    if (bodies_[i].empty()) continue;
    payload.body.append(frames_[i].open);
    payload.body.append(bodies_[i]);
    payload.body.append(frames_[i].close);
    bodies_[i].clear();
  }
  payload.body.append(close_);
  done_.push_back(std::move(payload));
  size_ = open_.size() + close_.size();
  records_ = 0;
}

std::vector<Payload> PayloadPacker::finish() {
  seal();
  std::vector<Payload> out;
  out.swap(done_);
  return out;
}

}  // namespace edgescope
