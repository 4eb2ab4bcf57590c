// Trace hand-off inside a workflow (tracing: src/observability/tracing.ts). The SDK's workflow
// interceptors run each signal handler in a span of its sender's trace, but the work a handler only
// flags (a stop) runs later in the workflow's main function, whose trace is the one that started the
// workflow. A handler keeps its context with traceContext(), and inTrace() runs that work in it: the
// activity that closes a sequence is then in the trace of the reply that stopped it.
// With tracing off no context manager is registered in the sandbox and both are no-ops. Neither
// adds a command or a yield point: replay-safe with and without the interceptors.
import { context, type Context } from '@opentelemetry/api';

/** The active trace context (in a signal handler: the handler's span). */
export function traceContext(): Context {
  return context.active();
}

/** Runs `fn` in `ctx` (a handler's context kept with traceContext()), or as is without one. */
export function inTrace<T>(ctx: Context | undefined, fn: () => Promise<T>): Promise<T> {
  return ctx ? context.with(ctx, fn) : fn();
}
