// Forwards the Temporal runtime's logs (core, worker, workflow and activity loggers) into pino, so
// every line carries the SDK's metadata: workflowId, runId, activityType, taskQueue, …
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from '../src/logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly pino: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[LEVELS[level] ?? 'info'](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * For the workflow bundler: its webpack report (and "Workflow bundle created") is an info line of
 * many kilobytes on every start; at debug it stays available without filling the log.
 */
export class BundlerLogger extends PinoTemporalLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    super.log(level === 'INFO' ? 'DEBUG' : level, message, meta);
  }
}

export interface RuntimeMetrics {
  /** host:port of the Core runtime's Prometheus exporter (see src/observability/worker-metrics.ts). */
  prometheusBindAddress: string;
}

let installed = false;

/**
 * Installs the process-wide Temporal runtime once (the SDK allows one per process, before any
 * connection or worker). Only the real process entry passes `metrics`: the test harness runs many
 * workers in one process and installs the runtime without an exporter.
 */
export function installTemporalRuntime(logger: Logger, metrics?: RuntimeMetrics): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' })),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      ...(metrics ? { metrics: { prometheus: { bindAddress: metrics.prometheusBindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } : {}),
    },
  });
}
