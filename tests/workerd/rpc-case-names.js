// The cases of workers/rpc-scenarios.js by group (the differential test checks this list against
// the scenarios module, which only workerd can load).
const target = [
  'fetchGet', 'fetchPostRequest', 'fetchRelativeUrl', 'fetch404', 'primitive', 'stringConcat', 'object', 'echoArgs', 'echoNoArgs',
  'propertyGetter', 'stubResult', 'streamResult', 'streamArgument', 'pipelineField', 'pipelineMethod',
  'pipelineNested', 'nestedPropertyCall', 'detachedMethod', 'reflectApply', 'errorPlain', 'errorType', 'errorRange', 'errorCustom',
  'errorAfterAwait', 'errorMissingMethod', 'unserializableArgument', 'usingDisposal', 'usingOnPromiseResult', 'unawaitedResult', 'pipelinedResultReleased',
  'releasedAfterRequest', 'callAfterDispose',
  'objectMethods', 'thenNotThenable',
];

export const CASE_NAMES = {
  do: target,
  service: target,
  ns: ['idsPassThrough', 'getByName', 'getWithOptions', 'jurisdiction', 'stubsInsideArgument', 'stubAsArgument'],
};

// Cases that run as a sequence of requests (rpc-differential.test.js, "released when the request
// ends"), not one by one.
export const RELEASE_CASES = ['unawaitedResult', 'pipelinedResultReleased', 'releasedAfterRequest'];
