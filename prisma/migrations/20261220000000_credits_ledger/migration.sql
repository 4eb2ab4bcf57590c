-- CreateEnum
CREATE TYPE "CreditTransactionKind" AS ENUM ('grant', 'top_up', 'adjustment', 'spend', 'refund', 'expiry');

-- AlterTable
ALTER TABLE "clients" ALTER COLUMN "aiDailyBudgetUsd" DROP NOT NULL,
ALTER COLUMN "aiDailyBudgetUsd" DROP DEFAULT;

-- CreateTable
CREATE TABLE "credit_transactions" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "kind" "CreditTransactionKind" NOT NULL,
    "amount" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "sendKey" TEXT,
    "channel" "Channel",
    "expiresAt" TIMESTAMP(3),
    "grantId" TEXT,
    "note" TEXT,
    "actorUserId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "credit_transactions_key_key" ON "credit_transactions"("key");

-- CreateIndex
CREATE INDEX "credit_transactions_clientId_createdAt_id_idx" ON "credit_transactions"("clientId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "credit_transactions_kind_expiresAt_idx" ON "credit_transactions"("kind", "expiresAt");

-- AddForeignKey
ALTER TABLE "credit_transactions" ADD CONSTRAINT "credit_transactions_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Clients on the old default daily AI budget (10 USD) follow their plan's budget from now on;
-- any other value stays as an override.
UPDATE "clients" SET "aiDailyBudgetUsd" = NULL WHERE "aiDailyBudgetUsd" = 10;

-- The balance becomes the sum of the ledger: each existing balance opens it with one adjustment.
-- Sends that raced past the old check could leave a balance below zero; it opens at zero (the
-- shortfall is not carried as debt): a balance is never below zero from here on.
UPDATE "clients" SET "creditsRemaining" = 0 WHERE "creditsRemaining" < 0;
INSERT INTO "credit_transactions" ("id", "clientId", "kind", "amount", "balanceAfter", "key", "note")
SELECT gen_random_uuid()::text, "id", 'adjustment', "creditsRemaining", "creditsRemaining", 'opening:' || "id", 'balance when the credit ledger started'
FROM "clients" WHERE "creditsRemaining" <> 0;

-- No CHECK ("creditsRemaining" >= 0) backstop: the WebAssembly schema engine's diff (test/db/drift)
-- fails on a table with a CHECK constraint. Every statement that removes credits is guarded instead
-- (src/engines/credits.ts, src/engines/send-ledger.ts), and test/credits/concurrency.test.ts holds it.
