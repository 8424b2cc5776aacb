import { exporters, instrument } from 'edgescope';

export default instrument({ fetch: () => new Response('served without telemetry') }, (env) => ({
  service: 'bad',
  sampleRate: Number(env.SAMPLE_RATE),
  exporter: exporters.console(),
}));
