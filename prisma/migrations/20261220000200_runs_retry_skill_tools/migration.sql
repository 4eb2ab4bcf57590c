-- AlterTable
ALTER TABLE "skill_runs" ADD COLUMN     "retryOfId" TEXT;

-- AlterTable
ALTER TABLE "skills" ADD COLUMN     "runsPerHour" INTEGER,
ADD COLUMN     "tools" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE UNIQUE INDEX "skill_runs_retryOfId_key" ON "skill_runs"("retryOfId");

-- AddForeignKey
ALTER TABLE "skill_runs" ADD CONSTRAINT "skill_runs_retryOfId_fkey" FOREIGN KEY ("retryOfId") REFERENCES "skill_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;
