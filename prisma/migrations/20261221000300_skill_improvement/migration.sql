-- AlterTable
ALTER TABLE "playbook_run_steps" ADD COLUMN     "action" TEXT;

-- AlterTable
ALTER TABLE "playbook_runs" ADD COLUMN     "platformOnly" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "targetSkillId" TEXT,
ADD COLUMN     "targetVersion" INTEGER;

-- CreateIndex
CREATE INDEX "playbook_runs_targetSkillId_idx" ON "playbook_runs"("targetSkillId");

-- AddForeignKey
ALTER TABLE "playbook_runs" ADD CONSTRAINT "playbook_runs_targetSkillId_fkey" FOREIGN KEY ("targetSkillId") REFERENCES "skills"("id") ON DELETE SET NULL ON UPDATE CASCADE;
