// Runs in Node before the test files: starts edgescope's capture collector and provides its URLs
// (inject('edgescopeCollector')) to vitest.config.js and to the tests. Returns the teardown.
import { provideCollector } from 'edgescope/testing/vitest';

export default (project) => provideCollector(project);
