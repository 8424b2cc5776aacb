import { exporters, instrument } from 'edgescope';

export default instrument({ fetch: () => new Response('never') }, (env) => ({
  service: 'bad',
  sampleRate: Number(env.SAMPLE_RATE),
  exporter: exporters.console(),
}));
