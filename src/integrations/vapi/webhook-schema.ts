// Vapi server messages: Vapi POSTs `{ "message": { "type": …, "call": {…}, … } }` to the server URL.
// We act on `end-of-call-report` (transcript, summary, why the call ended) and `status-update`
// (call status changes); every other type (transcript, speech-update, hang, tool-calls…) is
// recognised as `other` so the route can answer 2xx without recording it. Shapes follow Vapi's
// OpenAPI (ServerMessageEndOfCallReport / ServerMessageStatusUpdate); objects are loose.
import { z } from 'zod';

const text = z.string().nullish();
const metadata = z.record(z.string(), z.unknown()).nullish();

/** Statuses of `status-update` (Vapi's CallStatus). */
export const VAPI_CALL_STATUSES = ['scheduled', 'queued', 'ringing', 'in-progress', 'forwarding', 'ended'] as const;
export type VapiCallStatus = (typeof VAPI_CALL_STATUSES)[number];

export const VapiCustomerSchema = z.looseObject({ number: text, name: text });

export const VapiCallSchema = z.looseObject({
  id: z.string().min(1),
  orgId: text,
  type: text,
  status: text,
  phoneNumberId: text,
  assistantId: text,
  customer: VapiCustomerSchema.nullish(),
  metadata,
  assistantOverrides: z.looseObject({ metadata }).nullish(),
  createdAt: text,
});

// Older payloads sent an ISO string, the current OpenAPI says epoch milliseconds.
const timestamp = z.union([z.number(), z.string()]).nullish();

export const VapiEndOfCallReportSchema = z.looseObject({
  type: z.literal('end-of-call-report'),
  // Free text on purpose: Vapi adds ended reasons often (customer-ended-call, voicemail, silence-timed-out…).
  endedReason: z.string().min(1),
  call: VapiCallSchema,
  artifact: z
    .looseObject({
      transcript: text,
      messages: z.array(z.unknown()).nullish(),
      recordingUrl: text,
      stereoRecordingUrl: text,
    })
    .nullish(),
  analysis: z
    .looseObject({
      summary: text,
      structuredData: z.unknown().optional(),
      successEvaluation: z.unknown().optional(),
    })
    .nullish(),
  // Top-level copies Vapi has sent alongside (and before) `artifact` / `analysis`.
  transcript: text,
  summary: text,
  recordingUrl: text,
  customer: VapiCustomerSchema.nullish(),
  phoneNumber: z.looseObject({}).nullish(),
  startedAt: text,
  endedAt: text,
  cost: z.number().nullish(),
  durationSeconds: z.number().nullish(),
  timestamp,
});

export const VapiStatusUpdateSchema = z.looseObject({
  type: z.literal('status-update'),
  status: z.enum(VAPI_CALL_STATUSES),
  endedReason: text,
  call: VapiCallSchema,
  customer: VapiCustomerSchema.nullish(),
  phoneNumber: z.looseObject({}).nullish(),
  timestamp,
});

export const VapiOtherMessageSchema = z.looseObject({
  type: z.string().min(1),
  call: z.looseObject({ id: text }).nullish(),
  timestamp,
});

export const VapiEnvelopeSchema = z.looseObject({ message: z.looseObject({ type: z.string().min(1) }) });

export type VapiEndOfCallReport = z.infer<typeof VapiEndOfCallReportSchema>;
export type VapiStatusUpdate = z.infer<typeof VapiStatusUpdateSchema>;
export type VapiOtherMessage = z.infer<typeof VapiOtherMessageSchema>;

interface ParsedCallBase {
  /** See the dedupe rules on `parseVapiWebhook`. */
  dedupeKey: string;
  callId: string;
  /** The customer's number (the lead), from `message.customer` or `call.customer`. */
  customerNumber?: string;
  /** Our send idempotency key, echoed back from the call's metadata, for send-ledger matching. */
  idempotencyKey?: string;
}

export type ParsedVapiWebhook =
  | (ParsedCallBase & {
      kind: 'end_of_call_report';
      event: VapiEndOfCallReport;
      endedReason: string;
      transcript?: string;
      summary?: string;
    })
  | (ParsedCallBase & { kind: 'status_update'; event: VapiStatusUpdate; status: VapiCallStatus })
  | { kind: 'other'; type: string; event: VapiOtherMessage; dedupeKey: string; callId?: string };

const nonEmpty = (s: string | null | undefined): string | undefined => (s && s.trim().length > 0 ? s : undefined);

function idempotencyKeyOf(call: z.infer<typeof VapiCallSchema>): string | undefined {
  const key = call.assistantOverrides?.metadata?.idempotency_key ?? call.metadata?.idempotency_key;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

// The body is `{ message: … }`; errors are reported under `message.<field>`.
function parseMessage<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  return z.looseObject({ message: schema }).parse(body).message as z.infer<T>;
}

/*
 * Dedupe keys:
 * - end-of-call-report: `end-of-call-report:<call.id>`: Vapi sends one report per call.
 * - status-update: `status-update:<call.id>:<status>`: each status is entered once per call, so a
 *   redelivery dedupes while ringing → in-progress → ended stay three events.
 * - other types: `<type>:<call.id or '-'>:<timestamp or '-'>`; they are not stored, only acknowledged.
 * Throws a ZodError naming the offending field (e.g. `message.call.id`).
 */
export function parseVapiWebhook(body: unknown): ParsedVapiWebhook {
  const { message } = VapiEnvelopeSchema.parse(body);
  if (message.type === 'end-of-call-report') {
    const event = parseMessage(VapiEndOfCallReportSchema, body);
    return {
      kind: 'end_of_call_report',
      event,
      dedupeKey: `end-of-call-report:${event.call.id}`,
      callId: event.call.id,
      customerNumber: nonEmpty(event.customer?.number) ?? nonEmpty(event.call.customer?.number),
      idempotencyKey: idempotencyKeyOf(event.call),
      endedReason: event.endedReason,
      transcript: nonEmpty(event.artifact?.transcript) ?? nonEmpty(event.transcript),
      summary: nonEmpty(event.analysis?.summary) ?? nonEmpty(event.summary),
    };
  }
  if (message.type === 'status-update') {
    const event = parseMessage(VapiStatusUpdateSchema, body);
    return {
      kind: 'status_update',
      event,
      dedupeKey: `status-update:${event.call.id}:${event.status}`,
      callId: event.call.id,
      customerNumber: nonEmpty(event.customer?.number) ?? nonEmpty(event.call.customer?.number),
      idempotencyKey: idempotencyKeyOf(event.call),
      status: event.status,
    };
  }
  const event = parseMessage(VapiOtherMessageSchema, body);
  const callId = nonEmpty(event.call?.id);
  return {
    kind: 'other',
    type: event.type,
    event,
    dedupeKey: `${event.type}:${callId ?? '-'}:${event.timestamp ?? '-'}`,
    ...(callId ? { callId } : {}),
  };
}
