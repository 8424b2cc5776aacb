// Email through the Workers send_email binding (developers.cloudflare.com/email-routing/
// email-workers/send-email-workers): `binding.send(new EmailMessage(from, to, raw))`, one message
// per recipient (an EmailMessage has one `to`), the raw MIME built by mime.js. The sender must be
// an address on a domain with Email Routing, each recipient a verified destination address; the
// binding refuses anything else (the error is the alert's failure, logged and counted).
//
// wrangler config:  [[send_email]]  name = "SEND_EMAIL"  (optionally destination_address or
// allowed_destination_addresses to pin the recipients).
import { EdgescopeConfigError } from '../config.js';
import { emailMessageClass } from './email-message-slot.js';
import { bound, summaryOf } from './fields.js';
import { checkOptions } from './channel-options.js';
import { ADDRESS, buildMime } from './mime.js';

const MAX_RECIPIENTS = 10;
const SUBJECT_CHARS = 200;

export function email(options) {
  checkOptions('email', options, ['binding', 'from', 'to']);
  const { binding, from } = options;
  if (!binding || typeof binding.send !== 'function') {
    throw new EdgescopeConfigError('email({ binding })', 'a send_email binding (env.SEND_EMAIL, declared with [[send_email]] in wrangler config)', binding);
  }
  if (typeof from !== 'string' || !ADDRESS.test(from)) throw new EdgescopeConfigError('email({ from })', 'a bare email address like alerts@example.com', from);
  const to = typeof options.to === 'string' ? [options.to] : options.to;
  if (!Array.isArray(to) || to.length === 0 || to.length > MAX_RECIPIENTS) {
    throw new EdgescopeConfigError('email({ to })', `an address or an array of 1 to ${MAX_RECIPIENTS} addresses`, options.to);
  }
  to.forEach((address, i) => {
    if (typeof address !== 'string' || !ADDRESS.test(address)) throw new EdgescopeConfigError(`email({ to[${i}] })`, 'a bare email address like oncall@example.com', address);
  });
  const domain = from.slice(from.lastIndexOf('@') + 1);
  const build = (alert, recipient = to[0]) => emailMime(alert, { from, to: recipient, domain });
  return Object.freeze({
    kind: 'email',
    build,
    async deliver(alert, { deadline }) {
      const EmailMessage = emailMessageClass();
      if (!EmailMessage) return { ok: false, status: 0, cause: 'runtime', error: "email needs Workers' EmailMessage (cloudflare:email): import 'edgescope/alerts' in a Worker", attempts: 0 };
      let attempts = 0;
      for (const recipient of to) {
        if (Date.now() >= deadline) return { ok: false, status: 0, cause: 'deadline', error: `alert deadline reached before the message to ${recipient} was sent`, attempts };
        attempts++;
        try {
          await binding.send(new EmailMessage(from, recipient, build(alert, recipient)));
        } catch (error) {
          return { ok: false, status: 0, cause: 'send_email', error: `send_email refused the message to ${recipient}: ${bound(error?.message ?? String(error), 300)}`, attempts };
        }
      }
      return { ok: true, status: 0, attempts };
    },
  });
}

export function emailText(alert) {
  const lines = [
    summaryOf(alert, 1000),
    '',
    `Severity:    ${alert.severity}`,
    `Category:    ${alert.category || '-'}`,
    `Service:     ${alert.service}${alert.version ? ` ${alert.version}` : ''}`,
    `Route:       ${alert.route ?? '-'}`,
    `Fingerprint: ${alert.fingerprint}`,
    `Occurrences: ${alert.occurrences} in this invocation, ${alert.suppressed} suppressed since the last alert`,
    `Trace:       ${alert.traceId ?? '-'}`,
  ];
  if (alert.link) lines.push(`Trace link:  ${alert.link}`);
  lines.push(`Time:        ${alert.time}`, '', alert.message);
  if (alert.stack) lines.push('', alert.stack);
  return lines.join('\n');
}

export function emailMime(alert, { from, to, domain }) {
  return buildMime({
    from,
    to,
    subject: summaryOf(alert, SUBJECT_CHARS),
    text: emailText(alert),
    messageId: `<${crypto.randomUUID()}@${domain}>`,
    date: Date.parse(alert.time) || Date.now(),
  });
}
