// 'edgescope/alerts' under Node: the same API; there is no send_email binding or EmailMessage
// outside Workers, so an email channel reports each alert as failed (cause 'runtime').
import { alertTable } from '../storage/alert-table.js';
import { registerStateFeature } from '../storage/state-features.js';

registerStateFeature('alerts', alertTable);

export * from '../alerts/index.js';
