// Distributed tracing (OpenTelemetry), on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. One trace
// follows a request through the process and Temporal: the API's server span per request
// (src/api/request-tracing.ts), webhook processing, the Temporal client's start/signal/update span
// (its interceptor writes the trace context into the call's headers), the workflow's spans (the
// SDK's workflow interceptors, exported from the workflow sandbox through the `exporter` sink) and
// each activity's span (the activity interceptor reads the context back from the activity's headers).
// Off, nothing is loaded or registered: the OpenTelemetry API stays a no-op, the workers run the
// workflow bundle without the interceptors, and the Temporal client has no interceptor.
// Spans go over OTLP/HTTP (JSON bodies) to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces, as the spec
// derives a signal's URL from the base endpoint; the exporter reads OTEL_EXPORTER_OTLP_HEADERS and
// OTEL_EXPORTER_OTLP_TIMEOUT itself, the provider OTEL_TRACES_SAMPLER(_ARG) and
// OTEL_RESOURCE_ATTRIBUTES. Bottom layer: imports only packages.
import type { ClientInterceptors } from '@temporalio/client';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * The SDK's workflow interceptors (a span per workflow run, signal, update and query, and the trace
 * context passed on to activities and child workflows). They run inside the workflow sandbox, so
 * they must be part of the workflow bundle: see buildWorkflowBundle in src/worker.ts.
 */
export const WORKFLOW_TRACING_MODULES: readonly string[] = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

export interface TracingConfig {
  ROLE: 'all' | 'api' | 'worker';
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME?: string;
}

export interface TracingOptions {
  version?: string;
  /** Spans go here, as each ends, instead of to OTLP (tests: an InMemorySpanExporter). Turns tracing on. */
  exporter?: SpanExporter;
}

export interface Tracing {
  readonly provider: NodeTracerProvider;
  /** For `new Client({ interceptors })`: starts, signals, updates and queries carry the trace. */
  readonly clientInterceptors: ClientInterceptors;
  /** For `Worker.create({ interceptors })`: a span per activity, parented by its workflow's. */
  readonly workerInterceptors: WorkerInterceptors;
  /** For `Worker.create({ sinks })`: how workflow spans leave the sandbox. */
  readonly sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Flushes what is buffered and unregisters the provider (process stop, end of a test). */
  shutdown(): Promise<void>;
}

const DEFAULT_SERVICE_NAMES = { all: 'agency-os', api: 'agency-os-api', worker: 'agency-os-worker' } as const;

/** The service name spans carry: OTEL_SERVICE_NAME, else one per role. */
export function tracingServiceName(config: TracingConfig): string {
  return config.OTEL_SERVICE_NAME ?? DEFAULT_SERVICE_NAMES[config.ROLE];
}

/**
 * Registers the process's tracer provider (global: the SDK's interceptors use the global API) when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set or an exporter is given; null, having loaded nothing, otherwise.
 */
export async function startTracing(config: TracingConfig, opts: TracingOptions = {}): Promise<Tracing | null> {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT && !opts.exporter) return null;
  // Loaded here, not at the top: a process without tracing never loads the SDK.
  const [api, base, node, resources, semconv, temporalOtel] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
    import('@temporalio/interceptors-opentelemetry'),
  ]);
  const resource = resources.envDetectorSync.detect().merge(
    new resources.Resource({
      [semconv.ATTR_SERVICE_NAME]: tracingServiceName(config),
      ...(opts.version ? { [semconv.ATTR_SERVICE_VERSION]: opts.version } : {}),
    }),
  );
  let processor;
  if (opts.exporter) {
    processor = new base.SimpleSpanProcessor(opts.exporter);
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const url = `${config.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`;
    processor = new base.BatchSpanProcessor(new OTLPTraceExporter({ url }));
  }
  const provider = new node.NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  return {
    provider,
    clientInterceptors: { workflow: [new temporalOtel.OpenTelemetryWorkflowClientInterceptor()] },
    workerInterceptors: {
      activity: [
        (ctx) => ({
          inbound: new temporalOtel.OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new temporalOtel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    // Workflow spans take the same processor as the process's own, so they are batched and flushed together.
    sinks: { exporter: temporalOtel.makeWorkflowExporter(processor, resource) },
    shutdown: async () => {
      await provider.shutdown();
      api.trace.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
}
