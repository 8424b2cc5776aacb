// email and tail handlers wrapped by instrument(): an Email Worker that rejects, forwards or
// throws depending on the subject, and a Tail Worker that consumes another Worker's trace events.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async email(message, env, ctx) {
      const subject = message.headers.get('subject') ?? '';
      const scope = scopeOf(message);
      scope.log.info('mail received', { subject });
      if (subject === 'throw') throw new SyntaxError('cannot read this mail');
      if (subject === 'reject') return message.setReject('not accepted here');
      await scope.trace('mail.forward', () => message.forward('archive@example.net'));
    },
    async tail(events, env, ctx) {
      const scope = scopeOf(events);
      scope.log.info('tail received', { count: events.length });
      if (events.some((e) => e.logs?.some((l) => String(l.message).includes('tail-throw')))) throw new EvalError('tail consumer failed');
    },
  },
  (env) => ({ service: 'entrypoint-events', exporter: exporters.http({ url: env.COLLECTOR_URL }), capture: env.CAPTURE_ADDRESSES ? { clientAddress: true } : {} }),
);
