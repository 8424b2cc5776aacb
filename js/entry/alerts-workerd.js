// 'edgescope/alerts' under workerd (Cloudflare Workers, wrangler, Miniflare): alert channels,
// routing and fleet-wide de-duplication, in an entry of their own so a Worker that does not alert
// bundles none of it. Workers' EmailMessage (cloudflare:email) is handed to the email channel here.
// Importing this entry also registers the `alerts` feature of EdgescopeState, so the Worker that
// exports the Durable Object serves de-duplication in it (a side effect: package.json "sideEffects").
import { EmailMessage } from 'cloudflare:email';
import { provideEmailMessage } from '../alerts/email-message-slot.js';
import { alertTable } from '../storage/alert-table.js';
import { registerStateFeature } from '../storage/state-features.js';

provideEmailMessage(EmailMessage);
registerStateFeature('alerts', alertTable);

export * from '../alerts/index.js';
