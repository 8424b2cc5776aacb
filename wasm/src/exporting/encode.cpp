#include "edgescope/wire.hpp"

namespace edgescope {

std::vector<Payload> encode(WireFormat format, const Batch& batch, const Resource& resource,
                            const EncodeOptions& options, Stats& stats) {
  return format == WireFormat::OtlpJson ? encode_otlp_json(batch, resource, options, stats)
                                        : encode_native_json(batch, resource, options, stats);
}

}  // namespace edgescope
