// Prints the README "Size" table for this checkout's build (scripts/size-measure.mjs says what is
// measured and how), and where each figure stands against the budget (scripts/size-budget.mjs).
// Run: node scripts/size-report.mjs (after bash scripts/build.sh wasm); npm run bench runs it too.
import { SIZE_BUDGET } from './size-budget.mjs';
import { kib, measureSizes, sizeTable } from './size-measure.mjs';

const sizes = await measureSizes();
console.log(sizeTable(sizes));
console.log('');
for (const [key, budget] of Object.entries(SIZE_BUDGET)) {
  const left = budget - sizes[key];
  console.log(`budget ${key}: ${sizes[key]} of ${budget} bytes (${left >= 0 ? `${kib(left)} left` : `${kib(-left)} OVER`})`);
}
