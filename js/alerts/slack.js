// Slack incoming webhook (api.slack.com/messaging/webhooks): a POST of { text, blocks } to the
// webhook URL, answered 200 "ok". `text` is the notification's fallback and must be there when
// blocks are; the blocks follow Block Kit's limits (api.slack.com/reference/block-kit/blocks):
// at most 50 blocks, a header's plain_text at most 150 characters, a section's text at most 3000,
// at most 10 section fields of at most 2000 each, at most 10 context elements. mrkdwn text has
// &, < and > escaped (Slack "Formatting text for app surfaces": the three control characters).
import { bound, summaryOf } from './fields.js';
import { checkDelivery, checkOptions, checkUrl, DELIVERY_OPTIONS } from './channel-options.js';
import { postJson } from './http-channel.js';

export const SLACK_LIMITS = Object.freeze({ blocks: 50, headerText: 150, sectionText: 3000, fields: 10, fieldText: 2000, contextElements: 10, text: 3000 });
const ICON = { CRITICAL: ':rotating_light:', WARNING: ':warning:', INFO: ':information_source:' };

export function slack(options) {
  checkOptions('slack', options, ['webhookUrl', ...DELIVERY_OPTIONS]);
  const url = checkUrl('slack', 'webhookUrl', options.webhookUrl);
  const delivery = checkDelivery('slack', options);
  return Object.freeze({
    kind: 'slack',
    build: slackMessage,
    deliver: (alert, { id, deadline, context }) => postJson({ url, headers: {}, body: JSON.stringify(slackMessage(alert)), id, delivery, deadline, context }),
  });
}

const escapeText = (text) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

// Escaped, then bounded without cutting an entity in half.
export function mrkdwn(text, max) {
  const escaped = escapeText(String(text ?? ''));
  if (escaped.length <= max) return escaped;
  return `${bound(escaped, max).slice(0, -1).replace(/&[a-z]{0,3}$/, '')}…`;
}

// A link in mrkdwn is <url|label>: a url with | or > in it would end the link early.
const slackLink = (url, label) => `<${url.replaceAll('|', '%7C').replaceAll('>', '%3E')}|${mrkdwn(label, 200)}>`;

export function slackMessage(alert) {
  const field = (name, value) => ({ type: 'mrkdwn', text: mrkdwn(`*${name}*\n${value}`, SLACK_LIMITS.fieldText) });
  const fields = [
    field('Service', alert.version ? `${alert.service} ${alert.version}` : alert.service),
    field('Category', alert.category || '-'),
    field('Route', alert.route ?? '-'),
    field('Occurrences', `${alert.occurrences} here, ${alert.suppressed} suppressed since the last alert${alert.fleetOccurrences === null ? '' : `, ${alert.fleetOccurrences} in the fleet within the rule's window`}`),
  ];
  if (alert.status !== null) fields.push(field('Status', String(alert.status)));
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: bound(`${alert.severity}: ${alert.type || 'Error'}`, SLACK_LIMITS.headerText), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${ICON[alert.severity] ?? ''} ${mrkdwn(alert.message || '(no message)', SLACK_LIMITS.sectionText - 40)}`.trim() } },
    { type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) },
  ];
  if (alert.stack) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${mrkdwn(alert.stack, SLACK_LIMITS.sectionText - 6)}\`\`\`` } });
  const context = [{ type: 'mrkdwn', text: mrkdwn(`fingerprint ${alert.fingerprint}`, 300) }];
  if (alert.traceId) context.push({ type: 'mrkdwn', text: alert.link ? `trace ${slackLink(alert.link, alert.traceId)}` : mrkdwn(`trace ${alert.traceId}`, 300) });
  context.push({ type: 'mrkdwn', text: mrkdwn(alert.time, 100) });
  blocks.push({ type: 'context', elements: context.slice(0, SLACK_LIMITS.contextElements) });
  // The fallback text is what the notification shows, and Slack parses it for mentions and links
  // too: escaped like the blocks, so an error message cannot ping <!channel> or hide a link.
  return { text: mrkdwn(summaryOf(alert, SLACK_LIMITS.text), SLACK_LIMITS.text), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
