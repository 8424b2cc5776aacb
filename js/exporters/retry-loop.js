// The HTTP exporter's retry rules for one request, shared with anything else that POSTs inside an
// invocation's waitUntil (the alert channels, js/alerts/http-channel.js): `post()` makes one attempt
// (post.js, which says whether it may be retried and what Retry-After asked for), and this loop
// repeats it while the rules allow, up to `retries` more attempts, inside `deadline`.
//
// The deadline is a hard bound: a wait (backoff or Retry-After) that would end past it is not
// taken. Full jitter (a random wait up to the exponential bound) spreads the retries of many
// isolates that failed together; a server's Retry-After is a minimum.
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 4000;

export const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// -> { outcome (post.js shape), attempts }
export async function retryPost(post, { retries, deadline, sleep = defaultSleep }) {
  let last = await post();
  let attempts = last.sent ? 1 : 0;
  while (!last.ok && last.retryable && attempts <= retries) {
    const left = deadline - Date.now();
    if (last.retryAfterMs != null && last.retryAfterMs >= left) {
      last = giveUp(last, 'retry-after', `Retry-After asks for ${seconds(last.retryAfterMs)}, more than the ${seconds(left)} left before the export deadline`);
      break;
    }
    const backoff = Math.max(last.retryAfterMs ?? 0, Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1)));
    if (backoff >= left) {
      last = giveUp(last, 'deadline', 'no time left for a retry before the export deadline');
      break;
    }
    await sleep(backoff);
    const next = await post();
    if (!next.sent) {
      last = giveUp(last, next.cause, `retry not sent: ${next.error}`);
      break;
    }
    attempts++;
    last = next;
  }
  return { outcome: last, attempts };
}

// The request is given up for `cause`; the last attempt's error stays in the message.
function giveUp(result, cause, why) {
  return { ...result, retryable: false, cause, error: `${result.error}; ${why}` };
}

function seconds(ms) {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}
