-- AlterTable
ALTER TABLE "reply_reviews" ADD COLUMN     "messageId" TEXT,
ADD COLUMN     "resolvedIntent" TEXT,
ADD COLUMN     "staleNotifiedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "inbound_messages" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "leadId" TEXT NOT NULL,
    "campaignId" TEXT,
    "channel" "Channel" NOT NULL,
    "touchNumber" INTEGER,
    "webhookEventId" TEXT,
    "providerMessageId" TEXT,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "intent" TEXT,
    "confidence" DOUBLE PRECISION,
    "actions" TEXT[],
    "handledAt" TIMESTAMP(3),
    "handledBy" TEXT,
    "assignedTo" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "meetings" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "leadId" TEXT NOT NULL,
    "campaignId" TEXT,
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "externalId" TEXT,
    "inboundMessageId" TEXT,
    "title" TEXT,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "attendeeEmail" TEXT,
    "location" TEXT,
    "notes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "meetings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "inbound_messages_webhookEventId_key" ON "inbound_messages"("webhookEventId");

-- CreateIndex
CREATE INDEX "inbound_messages_clientId_createdAt_idx" ON "inbound_messages"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "inbound_messages_leadId_createdAt_idx" ON "inbound_messages"("leadId", "createdAt");

-- CreateIndex
CREATE INDEX "meetings_clientId_createdAt_idx" ON "meetings"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "meetings_leadId_idx" ON "meetings"("leadId");

-- CreateIndex
CREATE UNIQUE INDEX "meetings_source_externalId_key" ON "meetings"("source", "externalId");

-- CreateIndex
CREATE INDEX "reply_reviews_status_createdAt_idx" ON "reply_reviews"("status", "createdAt");
