// Workers AI (Ai): run(model, inputs, options) as a CLIENT span in the generative AI conventions
// (gen_ai.provider.name 'cloudflare.workers_ai', gen_ai.request.model = the model). Token usage is
// added when the result reports it (gen_ai.usage.input_tokens / output_tokens); a streamed result
// (a ReadableStream) is returned unread. Prompts and outputs are never recorded.
import { bindingProxy } from './binding-proxy.js';
import { tracedCall } from './call-span.js';

export function wrapAi(ai, name, scope) {
  return bindingProxy(ai, {
    run: (model, ...rest) =>
      tracedCall(
        scope,
        `run ${typeof model === 'string' ? model : name}`,
        'client',
        {
          'gen_ai.provider.name': 'cloudflare.workers_ai',
          ...(typeof model === 'string' ? { 'gen_ai.request.model': model } : {}),
          'cloudflare.binding.type': 'ai',
          'cloudflare.binding.name': name,
        },
        () => ai.run(model, ...rest),
        (span, result) => {
          const usage = result !== null && typeof result === 'object' && !(result instanceof ReadableStream) ? result.usage : undefined;
          if (Number.isFinite(usage?.prompt_tokens)) span.setAttribute('gen_ai.usage.input_tokens', usage.prompt_tokens);
          if (Number.isFinite(usage?.completion_tokens)) span.setAttribute('gen_ai.usage.output_tokens', usage.completion_tokens);
        },
      ),
  });
}
