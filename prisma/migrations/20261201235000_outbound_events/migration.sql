-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "eventSeq" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "outbound_events" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "leadId" TEXT,
    "leadSeq" INTEGER,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" TIMESTAMP(3),

    CONSTRAINT "outbound_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outbound_events_clientId_createdAt_idx" ON "outbound_events"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "outbound_events_dispatchedAt_createdAt_idx" ON "outbound_events"("dispatchedAt", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "outbound_events_leadId_leadSeq_key" ON "outbound_events"("leadId", "leadSeq");
