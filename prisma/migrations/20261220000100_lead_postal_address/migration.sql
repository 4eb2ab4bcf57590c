-- Structured postal addresses on leads (direct mail) and the letters rendered for mail touches.
ALTER TABLE "leads" ADD COLUMN "addressLine1" TEXT,
ADD COLUMN "addressLine2" TEXT,
ADD COLUMN "addressCity" TEXT,
ADD COLUMN "addressState" TEXT,
ADD COLUMN "addressPostalCode" TEXT,
ADD COLUMN "addressCountry" TEXT,
ADD COLUMN "addressSource" TEXT;

-- CreateTable
CREATE TABLE "letters" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "campaignId" TEXT,
    "leadId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "touchNumber" INTEGER,
    "sender" JSONB NOT NULL,
    "recipient" JSONB NOT NULL,
    "body" TEXT NOT NULL,
    "optOut" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "letters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "letters_idempotencyKey_key" ON "letters"("idempotencyKey");

-- CreateIndex
CREATE INDEX "letters_clientId_leadId_idx" ON "letters"("clientId", "leadId");
