-- CreateEnum
CREATE TYPE "ClientTier" AS ENUM ('ignition', 'velocity', 'dominance');

-- CreateEnum
CREATE TYPE "SubscriptionStatus" AS ENUM ('trialing', 'active', 'past_due', 'paused', 'cancelled');

-- CreateEnum
CREATE TYPE "PermissionMode" AS ENUM ('autopilot', 'copilot', 'manual');

-- CreateEnum
CREATE TYPE "MembershipRole" AS ENUM ('owner', 'admin', 'member', 'viewer');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('email', 'sms', 'linkedin', 'voice', 'mail');

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('draft', 'active', 'paused', 'completed', 'cancelled');

-- CreateEnum
CREATE TYPE "LeadStatus" AS ENUM ('new', 'enriched', 'scored', 'in_sequence', 'replied', 'converted', 'not_interested', 'bounced', 'unsubscribed', 'suppressed');

-- CreateEnum
CREATE TYPE "AlsTier" AS ENUM ('hot', 'warm', 'cool', 'cold', 'dead');

-- CreateEnum
CREATE TYPE "EnrollmentStatus" AS ENUM ('pending', 'active', 'paused', 'completed', 'stopped');

-- CreateEnum
CREATE TYPE "SendState" AS ENUM ('reserved', 'sending', 'sent', 'failed', 'skipped');

-- CreateEnum
CREATE TYPE "SuppressionKind" AS ENUM ('email', 'phone', 'domain');

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('pending', 'approved', 'rejected', 'edited', 'expired');

-- CreateEnum
CREATE TYPE "InboxStatus" AS ENUM ('pending', 'processed', 'failed', 'ignored');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('pending', 'running', 'awaiting_confirmation', 'confirmed', 'completed', 'expired', 'failed');

-- CreateTable
CREATE TABLE "clients" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "tier" "ClientTier" NOT NULL DEFAULT 'ignition',
    "subscriptionStatus" "SubscriptionStatus" NOT NULL DEFAULT 'trialing',
    "creditsRemaining" INTEGER NOT NULL DEFAULT 0,
    "permissionMode" "PermissionMode" NOT NULL DEFAULT 'copilot',
    "timeZone" TEXT NOT NULL DEFAULT 'Australia/Sydney',
    "sendWindow" JSONB,
    "country" TEXT NOT NULL DEFAULT 'AU',
    "state" TEXT,
    "senderName" TEXT,
    "senderEmail" TEXT,
    "postalAddress" TEXT,
    "websiteUrl" TEXT,
    "icpIndustries" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "icpCompanySizes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "icpTitles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "icpLocations" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "icpPainPoints" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "icpValueProp" TEXT,
    "icpConfirmedAt" TIMESTAMP(3),
    "alsWeights" JSONB,
    "aiDailyBudgetUsd" DECIMAL(12,4) NOT NULL DEFAULT 10,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "isPlatformAdmin" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "MembershipRole" NOT NULL DEFAULT 'member',
    "acceptedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "graceUntil" TIMESTAMP(3),
    "replacedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_channels" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "externalId" TEXT,
    "chatId" TEXT,
    "linkCode" TEXT,
    "linkCodeExpiresAt" TIMESTAMP(3),
    "linkedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "send_resources" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "identifier" TEXT NOT NULL,
    "dailyLimit" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "send_resources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "send_resource_counters" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "resourceId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "send_resource_counters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaigns" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "CampaignStatus" NOT NULL DEFAULT 'draft',
    "permissionMode" "PermissionMode" NOT NULL DEFAULT 'copilot',
    "sequence" JSONB NOT NULL,
    "sequenceVersion" INTEGER NOT NULL DEFAULT 1,
    "aiPersonalisation" BOOLEAN NOT NULL DEFAULT false,
    "industry" TEXT,
    "templateId" TEXT,
    "startedAt" TIMESTAMP(3),
    "pausedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_templates" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "generationJobId" TEXT,
    "name" TEXT NOT NULL,
    "industry" TEXT,
    "sequence" JSONB NOT NULL,
    "messaging" JSONB NOT NULL,
    "launchedCampaignId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "campaign_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leads" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "title" TEXT,
    "phone" TEXT,
    "linkedinUrl" TEXT,
    "companyName" TEXT,
    "companyDomain" TEXT,
    "companyIndustry" TEXT,
    "companySize" INTEGER,
    "companyRevenue" TEXT,
    "country" TEXT,
    "state" TEXT,
    "city" TEXT,
    "timeZone" TEXT,
    "status" "LeadStatus" NOT NULL DEFAULT 'new',
    "alsScore" INTEGER,
    "alsTier" "AlsTier",
    "alsDataQuality" INTEGER,
    "alsAuthority" INTEGER,
    "alsCompanyFit" INTEGER,
    "alsTiming" INTEGER,
    "alsRisk" INTEGER,
    "scoredAt" TIMESTAMP(3),
    "enrichment" JSONB,
    "enrichmentSource" TEXT,
    "enrichedAt" TIMESTAMP(3),
    "referredByLeadId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "leads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_enrollments" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "leadId" TEXT NOT NULL,
    "status" "EnrollmentStatus" NOT NULL DEFAULT 'pending',
    "sequenceVersion" INTEGER NOT NULL,
    "stopReason" TEXT,
    "startedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "campaign_enrollments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "activities" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "campaignId" TEXT,
    "leadId" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "action" TEXT NOT NULL,
    "touchNumber" INTEGER,
    "providerMessageId" TEXT,
    "threadId" TEXT,
    "metadata" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "activities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "send_ledger" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "leadId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "touchNumber" INTEGER NOT NULL,
    "state" "SendState" NOT NULL DEFAULT 'reserved',
    "resourceId" TEXT,
    "providerMessageId" TEXT,
    "threadId" TEXT,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "reservedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "send_ledger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "clientId" TEXT,
    "kind" "SuppressionKind" NOT NULL,
    "value" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dncr_washes" (
    "id" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "registered" BOOLEAN NOT NULL,
    "washedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dncr_washes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrichment_cache" (
    "key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "enrichment_cache_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ai_usage" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL,
    "outputTokens" INTEGER NOT NULL,
    "costUsd" DECIMAL(12,6) NOT NULL,
    "purpose" TEXT NOT NULL,
    "skillSlug" TEXT,
    "runId" TEXT,
    "workflowId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ai_usage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_requests" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "leadId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "touchNumber" INTEGER NOT NULL,
    "channel" "Channel" NOT NULL,
    "draft" JSONB NOT NULL,
    "edited" JSONB,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_events" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "InboxStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "clientId" TEXT,
    "leadId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reply_reviews" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "leadId" TEXT NOT NULL,
    "webhookEventId" TEXT,
    "channel" "Channel" NOT NULL,
    "text" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "resolvedBy" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reply_reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_cursors" (
    "provider" TEXT NOT NULL,
    "cursor" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "provider_cursors_pkey" PRIMARY KEY ("provider")
);

-- CreateTable
CREATE TABLE "skills" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "triggers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "content" TEXT NOT NULL,
    "rules" TEXT,
    "files" JSONB,
    "contentHash" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "skills_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_context_documents" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "title" TEXT,
    "content" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "client_context_documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "skill_runs" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "userId" TEXT,
    "skillSlug" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "source" TEXT NOT NULL DEFAULT 'api',
    "notify" JSONB,
    "error" TEXT,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(12,6) NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "skill_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outputs" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "skillSlug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'markdown',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "outputs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "outputId" TEXT NOT NULL,
    "userId" TEXT,
    "skillSlug" TEXT NOT NULL,
    "accuracy" INTEGER,
    "quality" INTEGER,
    "usefulness" INTEGER,
    "ruleCompliance" INTEGER,
    "overall" INTEGER NOT NULL,
    "whatWorked" TEXT,
    "issues" TEXT,
    "suggestedRuleChanges" TEXT,
    "source" TEXT NOT NULL DEFAULT 'api',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "skill_digests" (
    "id" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "skill_digests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "onboarding_jobs" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "websiteUrl" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'pending',
    "step" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "edits" JSONB,
    "error" TEXT,
    "expiresAt" TIMESTAMP(3),
    "confirmedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "onboarding_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scraped_pages" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "title" TEXT,
    "text" TEXT NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scraped_pages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_generation_jobs" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "onboardingJobId" TEXT,
    "status" "JobStatus" NOT NULL DEFAULT 'pending',
    "result" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "campaign_generation_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_logs" (
    "id" TEXT NOT NULL,
    "clientId" TEXT,
    "actorId" TEXT,
    "actorKeyId" TEXT,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "requestId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "system_probes" (
    "id" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readBackAt" TIMESTAMP(3),

    CONSTRAINT "system_probes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandbox_outbox" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "provider" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "clients_slug_key" ON "clients"("slug");

-- CreateIndex
CREATE INDEX "clients_deletedAt_idx" ON "clients"("deletedAt");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "memberships_clientId_idx" ON "memberships"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_userId_clientId_key" ON "memberships"("userId", "clientId");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "api_keys_userId_idx" ON "api_keys"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "user_channels_linkCode_key" ON "user_channels"("linkCode");

-- CreateIndex
CREATE INDEX "user_channels_userId_idx" ON "user_channels"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "user_channels_channel_externalId_key" ON "user_channels"("channel", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "send_resources_clientId_channel_identifier_key" ON "send_resources"("clientId", "channel", "identifier");

-- CreateIndex
CREATE UNIQUE INDEX "send_resource_counters_resourceId_day_key" ON "send_resource_counters"("resourceId", "day");

-- CreateIndex
CREATE INDEX "campaigns_clientId_status_idx" ON "campaigns"("clientId", "status");

-- CreateIndex
CREATE INDEX "campaign_templates_clientId_idx" ON "campaign_templates"("clientId");

-- CreateIndex
CREATE INDEX "leads_clientId_status_idx" ON "leads"("clientId", "status");

-- CreateIndex
CREATE INDEX "leads_clientId_alsTier_idx" ON "leads"("clientId", "alsTier");

-- CreateIndex
CREATE INDEX "leads_clientId_phone_idx" ON "leads"("clientId", "phone");

-- CreateIndex
CREATE UNIQUE INDEX "leads_clientId_email_key" ON "leads"("clientId", "email");

-- CreateIndex
CREATE INDEX "campaign_enrollments_leadId_idx" ON "campaign_enrollments"("leadId");

-- CreateIndex
CREATE INDEX "campaign_enrollments_status_campaignId_idx" ON "campaign_enrollments"("status", "campaignId");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_enrollments_campaignId_leadId_key" ON "campaign_enrollments"("campaignId", "leadId");

-- CreateIndex
CREATE INDEX "activities_leadId_createdAt_idx" ON "activities"("leadId", "createdAt");

-- CreateIndex
CREATE INDEX "activities_campaignId_channel_action_idx" ON "activities"("campaignId", "channel", "action");

-- CreateIndex
CREATE INDEX "activities_providerMessageId_idx" ON "activities"("providerMessageId");

-- CreateIndex
CREATE UNIQUE INDEX "send_ledger_idempotencyKey_key" ON "send_ledger"("idempotencyKey");

-- CreateIndex
CREATE INDEX "send_ledger_providerMessageId_idx" ON "send_ledger"("providerMessageId");

-- CreateIndex
CREATE INDEX "send_ledger_leadId_idx" ON "send_ledger"("leadId");

-- CreateIndex
CREATE INDEX "suppressions_kind_value_idx" ON "suppressions"("kind", "value");

-- CreateIndex
CREATE UNIQUE INDEX "suppressions_scope_kind_value_key" ON "suppressions"("scope", "kind", "value");

-- CreateIndex
CREATE UNIQUE INDEX "dncr_washes_phone_key" ON "dncr_washes"("phone");

-- CreateIndex
CREATE INDEX "enrichment_cache_expiresAt_idx" ON "enrichment_cache"("expiresAt");

-- CreateIndex
CREATE INDEX "ai_usage_clientId_createdAt_idx" ON "ai_usage"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "approval_requests_clientId_status_idx" ON "approval_requests"("clientId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "approval_requests_workflowId_touchNumber_key" ON "approval_requests"("workflowId", "touchNumber");

-- CreateIndex
CREATE INDEX "webhook_events_status_receivedAt_idx" ON "webhook_events"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_events_provider_dedupeKey_key" ON "webhook_events"("provider", "dedupeKey");

-- CreateIndex
CREATE INDEX "reply_reviews_clientId_status_idx" ON "reply_reviews"("clientId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "skills_slug_key" ON "skills"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "client_context_documents_clientId_path_key" ON "client_context_documents"("clientId", "path");

-- CreateIndex
CREATE INDEX "skill_runs_clientId_createdAt_idx" ON "skill_runs"("clientId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "outputs_runId_key" ON "outputs"("runId");

-- CreateIndex
CREATE INDEX "outputs_clientId_skillSlug_createdAt_idx" ON "outputs"("clientId", "skillSlug", "createdAt");

-- CreateIndex
CREATE INDEX "feedback_skillSlug_createdAt_idx" ON "feedback"("skillSlug", "createdAt");

-- CreateIndex
CREATE INDEX "feedback_outputId_idx" ON "feedback"("outputId");

-- CreateIndex
CREATE INDEX "skill_digests_createdAt_idx" ON "skill_digests"("createdAt");

-- CreateIndex
CREATE INDEX "onboarding_jobs_clientId_createdAt_idx" ON "onboarding_jobs"("clientId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "scraped_pages_jobId_url_key" ON "scraped_pages"("jobId", "url");

-- CreateIndex
CREATE INDEX "campaign_generation_jobs_clientId_createdAt_idx" ON "campaign_generation_jobs"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "audit_logs_clientId_createdAt_idx" ON "audit_logs"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "audit_logs_entityType_entityId_idx" ON "audit_logs"("entityType", "entityId");

-- CreateIndex
CREATE UNIQUE INDEX "system_probes_workflowId_key" ON "system_probes"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "sandbox_outbox_providerMessageId_key" ON "sandbox_outbox"("providerMessageId");

-- CreateIndex
CREATE INDEX "sandbox_outbox_clientId_createdAt_idx" ON "sandbox_outbox"("clientId", "createdAt");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_channels" ADD CONSTRAINT "user_channels_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send_resources" ADD CONSTRAINT "send_resources_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send_resource_counters" ADD CONSTRAINT "send_resource_counters_resourceId_fkey" FOREIGN KEY ("resourceId") REFERENCES "send_resources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_templates" ADD CONSTRAINT "campaign_templates_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "leads" ADD CONSTRAINT "leads_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_enrollments" ADD CONSTRAINT "campaign_enrollments_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_enrollments" ADD CONSTRAINT "campaign_enrollments_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_context_documents" ADD CONSTRAINT "client_context_documents_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "skill_runs" ADD CONSTRAINT "skill_runs_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding_jobs" ADD CONSTRAINT "onboarding_jobs_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scraped_pages" ADD CONSTRAINT "scraped_pages_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "onboarding_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
