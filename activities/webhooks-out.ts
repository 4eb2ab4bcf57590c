// Activities of webhookDeliveryWorkflow and webhookDispatchSweepWorkflow: one recorded attempt, the
// end of a failed delivery, the notice that an endpoint was disabled, and a dispatch pass.
import { log } from '@temporalio/activity';
import { PermanentSendError } from '../src/integrations/channels';
import { attemptDelivery, disabledNotice, endpointAdmins, failDelivery, type AttemptResult } from '../src/engines/webhooks-out/deliveries';
import type { ActivityDeps } from './deps';

export interface WebhookActivities {
  attemptWebhookDelivery(a: {
    endpointId: string;
    eventId: string;
    series: number;
    attempt: number;
    at: string;
    retryInMs: number | null;
  }): Promise<AttemptResult>;
  failWebhookDelivery(a: { endpointId: string; eventId: string; at: string; windowSeconds: number; exhausted: boolean }): Promise<{ disabled: boolean }>;
  notifyWebhookEndpointDisabled(a: { endpointId: string }): Promise<{ notified: number }>;
  dispatchOutboundEvents(a: { maxEvents?: number }): Promise<{ events: number; deliveries: number }>;
}

export function createWebhookActivities(deps: ActivityDeps): WebhookActivities {
  const { db, config } = deps;
  return {
    async attemptWebhookDelivery(a) {
      return attemptDelivery(
        db,
        { ...a, at: new Date(a.at) },
        { signingSecret: deps.signingSecret, timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivateHosts: config.CALLBACK_ALLOW_PRIVATE_HOSTS },
      );
    },
    async failWebhookDelivery(a) {
      return failDelivery(db, { ...a, at: new Date(a.at) });
    },
    async notifyWebhookEndpointDisabled({ endpointId }) {
      const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, include: { client: true } });
      if (endpoint.enabled || !endpoint.disabledAt) return { notified: 0 };
      const notice = disabledNotice(endpoint);
      const admins = await endpointAdmins(db, endpoint.clientId);
      const from = endpoint.client.senderEmail;
      if (!from) {
        // The audit row and the endpoint's state say it; there is no address to send the notice from.
        log.warn('webhook endpoint disabled; the client has no sender address to email its admins from', { endpointId });
        return { notified: 0 };
      }
      let notified = 0;
      for (const admin of admins) {
        // Keyed by the disabling: a retried activity re-sends nothing a provider (or the sandbox) already took.
        try {
          await deps.channels.email.send({
            channel: 'email',
            clientId: endpoint.clientId,
            idempotencyKey: `webhook-endpoint-disabled:${endpoint.id}:${endpoint.disabledAt.getTime()}:${admin.userId}`,
            to: { email: admin.email, ...(admin.name ? { name: admin.name } : {}) },
            from: { name: 'Agency OS', email: from },
            subject: notice.subject,
            text: notice.text,
            // The email drivers refuse mail without one; replying "unsubscribe" reaches the agency.
            headers: { 'List-Unsubscribe': `<mailto:${from}?subject=unsubscribe>` },
            metadata: { kind: 'webhook_endpoint_disabled', endpointId: endpoint.id },
          });
          notified++;
        } catch (err) {
          // One unreachable admin (bad address) must not keep the others from being told.
          if (!(err instanceof PermanentSendError)) throw err;
          log.warn('webhook endpoint notice refused for one admin', { endpointId, error: err.message });
        }
      }
      return { notified };
    },
    async dispatchOutboundEvents({ maxEvents }) {
      return deps.lifecycle.dispatchOutbound({ maxEvents });
    },
  };
}
