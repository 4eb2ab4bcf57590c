// A server span per API request, mounted only when tracing is on (src/observability/tracing.ts).
// A small middleware rather than @opentelemetry/instrumentation-http and -express: those patch
// `http` and `express` through require hooks that must be installed before either module loads
// (a --require preload in production, impossible under jest's module registry), and the Express
// instrumentation for the 1.x SDK line the Temporal interceptors need predates Express 5's router.
// Here the span is the active context for the rest of the request (body parsing, the route, and
// webhook processing, which keeps it for after the answer: routes/webhooks/processing.ts), and is
// named and labelled by the route pattern as the metrics are, never by the URL (ids, tokens).
// Each request starts a trace of its own: a caller's `traceparent` is not followed, so a provider
// or client cannot join our traces or choose what is sampled.
import type { Express, RequestHandler } from 'express';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { routeLabel, routePatterns, type Pattern } from './request-metrics';

export function requestTracing(app: Express): RequestHandler {
  const tracer = trace.getTracer('agency-os-api');
  let patterns: Pattern[] | undefined;
  return (req, res, next) => {
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, root: true, attributes: { 'http.request.method': req.method } }, ROOT_CONTEXT);
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    let ended = false;
    const end = (aborted: boolean) => {
      if (ended) return;
      ended = true;
      // Routes are mounted after this middleware: read them on the first finished request.
      patterns ??= routePatterns(app);
      const route = routeLabel(patterns, req);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode, 'http.request.id': req.id });
      if (aborted) span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the response was sent' });
      else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', () => end(false));
    res.once('close', () => end(!res.writableFinished));
    // Stream callbacks (body parsers reading `req`) run in the request's context too.
    context.bind(ctx, req);
    context.bind(ctx, res);
    context.with(ctx, next);
  };
}
