// Makes one outgoing fetch to the URL in the `to` query parameter, so a test can see which trace
// headers (if any) the platform adds to a subrequest of a traced invocation.
export default {
  async fetch(request) {
    const to = new URL(request.url).searchParams.get('to');
    const response = await fetch(to);
    await response.arrayBuffer();
    return new Response(String(response.status));
  },
};
