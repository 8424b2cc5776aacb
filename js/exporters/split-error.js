// Thrown when a payload cannot be split in two (split-payload.js, split-proto.js): too few records,
// or a body that is not the format it claims. deliver.js drops such a payload, counted and logged.
export class SplitError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SplitError';
  }
}
