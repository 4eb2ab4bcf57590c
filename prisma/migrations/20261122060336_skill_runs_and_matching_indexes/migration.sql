-- AlterTable
ALTER TABLE "skill_runs" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "user_channels" ADD COLUMN     "pendingFeedbackId" TEXT;

-- CreateIndex
CREATE INDEX "leads_email_idx" ON "leads"("email");

-- CreateIndex
CREATE INDEX "leads_phone_idx" ON "leads"("phone");

-- CreateIndex
CREATE INDEX "send_ledger_threadId_idx" ON "send_ledger"("threadId");
