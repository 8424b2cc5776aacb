// The collector as the SLO test deploys it: one availability SLO over the whole service, one
// latency SLO on a route, and burn-rate alerts to a PagerDuty Events API stand-in, a Slack
// incoming webhook and a signed webhook on loopback (their base URL and secrets are env bindings, as a deployment's would be).
// The cron handler runs the rollups and then the SLO evaluation at the trigger's scheduledTime,
// so the test chooses `now`.
import { pagerDuty, slack, webhook } from '../../../js/alerts/index.js';
import { createCollector } from '../../../js/collector/index.js';

const config = {
  tokens: [{ name: 'sender', secret: 'INGEST_TOKEN' }],
  readTokens: [{ name: 'oncall-dashboard', secret: 'READ_TOKEN' }],
  slos: [
    { name: 'shop-availability', service: 'shop', kind: 'availability', objective: 0.999 },
    { name: 'search-latency', service: 'shop', kind: 'latency', route: '/search', thresholdMs: 250, objective: 0.99 },
  ],
  alerting: {
    channels: (env) => ({
      oncall: pagerDuty({ routingKey: env.PD_ROUTING_KEY, url: `${env.ALERT_BASE}/pagerduty`, retries: 0 }),
      audit: webhook({ url: `${env.ALERT_BASE}/webhook`, secret: env.WEBHOOK_SECRET, retries: 0 }),
      team: slack({ webhookUrl: `${env.ALERT_BASE}/slack/T0/B0/x`, retries: 0 }),
    }),
    renotifyMinutes: 30,
  },
};

// The collector's own cron: rollups and retention, then the SLO evaluation at the trigger's
// scheduledTime, so the test chooses `now`.
export default createCollector(config);
