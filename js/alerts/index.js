// The alerts API ('edgescope/alerts'): channels, severity routing and fleet-wide de-duplication of
// the errors an invocation recorded. README, "Alerts, once per fleet".
export { createAlerts, isAlerts } from './create-alerts.js';
export { alertInvocation } from './alert-invocation.js';
export { slack } from './slack.js';
export { pagerDuty } from './pagerduty.js';
export { webhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook.js';
export { email } from './email.js';
