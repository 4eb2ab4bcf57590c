// Response schemas of the rows and views the API returns, as they look on the wire (dates are ISO
// strings, JSON columns are any JSON). Kept next to prisma/schema.prisma's fields; objects are open
// (extra fields allowed) so adding a column does not break clients, but every listed field is checked.
import { z } from 'zod';
import {
  AlsTier,
  ApprovalStatus,
  CampaignStatus,
  Channel,
  ClientTier,
  EnrollmentStatus,
  JobStatus,
  LeadStatus,
  MembershipRole,
  PermissionMode,
  SubscriptionStatus,
  SuppressionKind,
} from '../../db/client';
import { anyJson, dateTime, id, nullableDateTime } from './spec';

const str = z.string();
const nstr = z.string().nullable();
const nint = z.number().int().nullable();

export const ChannelSchema = z.enum(Channel);
export const RoleSchema = z.enum(MembershipRole);

export const ClientSchema = z
  .object({
    id,
    name: str,
    slug: str,
    tier: z.enum(ClientTier),
    subscriptionStatus: z.enum(SubscriptionStatus),
    creditsRemaining: z.number().int(),
    permissionMode: z.enum(PermissionMode),
    timeZone: str,
    country: str,
    state: nstr,
    senderName: nstr,
    senderEmail: nstr,
    postalAddress: nstr,
    websiteUrl: nstr,
    sendWindow: z.object({ startHour: z.number().int(), endHour: z.number().int(), days: z.array(z.number().int()) }).nullable(),
    icpConfirmedAt: nullableDateTime,
    /** The daily AI budget in force: the client's own, or its plan's. */
    aiDailyBudgetUsd: z.number(),
    aiDailyBudgetSource: z.enum(['plan', 'override']),
    createdAt: dateTime,
    updatedAt: dateTime,
    deletedAt: nullableDateTime,
  })
  .meta({ id: 'Client' });

export const ClientWithRoleSchema = ClientSchema.extend({ role: RoleSchema.nullable() }).meta({ id: 'ClientWithRole' });

export const MemberSchema = z
  .object({ userId: id, email: str, name: nstr, role: RoleSchema, acceptedAt: nullableDateTime, createdAt: dateTime, updatedAt: dateTime })
  .meta({ id: 'Member' });

export const InvitationSchema = z
  .object({
    id,
    clientId: id,
    email: str,
    role: RoleSchema,
    name: nstr,
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
    invitedById: id.nullable(),
    expiresAt: dateTime,
    acceptedAt: nullableDateTime,
    revokedAt: nullableDateTime,
    createdAt: dateTime,
  })
  .meta({ id: 'Invitation', description: 'An invitation to join a client; its token is only ever in the email to the invitee.' });

export const ApiKeySchema = z
  .object({
    id,
    name: str,
    prefix: str,
    status: z.enum(['active', 'grace', 'revoked', 'expired']),
    createdAt: dateTime,
    lastUsedAt: nullableDateTime,
    expiresAt: nullableDateTime,
    revokedAt: nullableDateTime,
    graceUntil: nullableDateTime,
    replacedById: id.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const CampaignSchema = z
  .object({
    id,
    clientId: id,
    name: str,
    status: z.enum(CampaignStatus),
    permissionMode: z.enum(PermissionMode),
    sequence: anyJson,
    sequenceVersion: z.number().int(),
    aiPersonalisation: z.boolean(),
    industry: nstr,
    templateId: id.nullable(),
    startedAt: nullableDateTime,
    pausedAt: nullableDateTime,
    completedAt: nullableDateTime,
    cancelledAt: nullableDateTime,
    createdAt: dateTime,
    updatedAt: dateTime,
    deletedAt: nullableDateTime,
  })
  .meta({ id: 'Campaign' });

export const CampaignSequenceVersionSchema = z
  .object({
    id,
    clientId: id,
    campaignId: id,
    version: z.number().int(),
    sequence: anyJson,
    /** Touch number → kind → {subject?, body}. */
    copy: anyJson,
    createdBy: id.nullable(),
    createdAt: dateTime,
  })
  .meta({ id: 'CampaignSequenceVersion' });

export const CampaignStateSchema = z
  .object({
    status: z.enum(CampaignStatus),
    enrolled: z.number().int(),
    pendingEnrollment: z.number().int(),
    ended: z.number().int(),
    leadsByStatus: z.record(z.string(), z.number()),
    touchesSent: z.record(z.string(), z.number()),
  })
  .meta({ id: 'CampaignLiveState', description: "The campaign workflow's state (null once it has closed)." });

export const LeadSchema = z
  .object({
    id,
    clientId: id,
    email: nstr,
    firstName: nstr,
    lastName: nstr,
    title: nstr,
    phone: nstr,
    linkedinUrl: nstr,
    companyName: nstr,
    companyDomain: nstr,
    companyIndustry: nstr,
    companySize: nint,
    companyRevenue: nstr,
    country: nstr,
    state: nstr,
    city: nstr,
    timeZone: nstr,
    addressLine1: nstr,
    addressLine2: nstr,
    addressCity: nstr,
    addressState: nstr,
    addressPostalCode: nstr,
    addressCountry: nstr,
    /** Where the postal address came from: import, manual (PATCH) or enrichment. */
    addressSource: nstr,
    status: z.enum(LeadStatus),
    alsScore: nint,
    alsTier: z.enum(AlsTier).nullable(),
    alsDataQuality: nint,
    alsAuthority: nint,
    alsCompanyFit: nint,
    alsTiming: nint,
    alsRisk: nint,
    scoredAt: nullableDateTime,
    enrichment: anyJson,
    enrichmentSource: nstr,
    enrichedAt: nullableDateTime,
    referredByLeadId: id.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
    deletedAt: nullableDateTime,
  })
  .meta({ id: 'Lead' });

export const ActivitySchema = z
  .object({
    id,
    clientId: id,
    campaignId: id.nullable(),
    leadId: id,
    channel: ChannelSchema,
    action: str,
    touchNumber: nint,
    providerMessageId: nstr,
    threadId: nstr,
    metadata: anyJson,
    createdAt: dateTime,
  })
  .meta({ id: 'Activity' });

export const ApprovalSchema = z
  .object({
    id,
    clientId: id,
    campaignId: id,
    leadId: id,
    workflowId: str,
    touchNumber: z.number().int(),
    channel: ChannelSchema,
    draft: anyJson,
    edited: anyJson,
    status: z.enum(ApprovalStatus),
    decidedBy: nstr,
    decidedAt: nullableDateTime,
    expiresAt: dateTime,
    createdAt: dateTime,
  })
  .meta({ id: 'ApprovalRequest' });

export const SendResourceSchema = z
  .object({
    id,
    clientId: id,
    channel: ChannelSchema,
    identifier: str,
    dailyLimit: z.number().int(),
    active: z.boolean(),
    createdAt: dateTime,
    updatedAt: dateTime,
    deletedAt: nullableDateTime,
  })
  .meta({ id: 'SendResource' });

export const SandboxMessageSchema = z
  .object({ id, clientId: id, channel: ChannelSchema, provider: str, recipient: str, providerMessageId: str, payload: anyJson, createdAt: dateTime })
  .meta({ id: 'SandboxMessage' });

export const AuditLogSchema = z
  .object({
    id,
    clientId: id.nullable(),
    actorId: id.nullable(),
    actorKeyId: id.nullable(),
    action: str,
    entityType: str,
    entityId: nstr,
    before: anyJson,
    after: anyJson,
    requestId: nstr,
    createdAt: dateTime,
  })
  .meta({ id: 'AuditLog' });

export const SuppressionSchema = z
  .object({
    id,
    scope: str,
    clientId: id.nullable(),
    kind: z.enum(SuppressionKind),
    value: str,
    reason: str,
    source: nstr,
    createdAt: dateTime,
    deletedAt: nullableDateTime,
  })
  .meta({ id: 'Suppression' });

export const CampaignTemplateSchema = z
  .object({
    id,
    clientId: id,
    generationJobId: id.nullable(),
    name: str,
    industry: nstr,
    sequence: anyJson,
    messaging: anyJson,
    launchedCampaignId: id.nullable(),
    createdAt: dateTime,
    deletedAt: nullableDateTime,
  })
  .meta({ id: 'CampaignTemplate' });

export const CampaignStatusSchema = z.enum(CampaignStatus);
export const EnrollmentStatusSchema = z.enum(EnrollmentStatus);
export const JobStatusSchema = z.enum(JobStatus);

export const MetricsSchema = z
  .object({
    sent: z.number().int(),
    delivered: z.number().int(),
    opened: z.number().int(),
    clicked: z.number().int(),
    replied: z.number().int(),
    bounced: z.number().int(),
    unsubscribed: z.number().int(),
    complained: z.number().int(),
    meetings: z.number().int(),
  })
  .meta({ id: 'Metrics', description: 'Distinct leads per outcome.' });

export const RatesSchema = z
  .object({
    deliveryRate: z.number().nullable(),
    openRate: z.number().nullable(),
    replyRate: z.number().nullable(),
    bounceRate: z.number().nullable(),
    meetingRate: z.number().nullable(),
  })
  .meta({ id: 'Rates', description: 'Shares of leads sent to (null when nothing was sent).' });
