-- DropIndex
DROP INDEX "skills_slug_key";

-- AlterTable
ALTER TABLE "skill_runs" ADD COLUMN     "skillVersion" INTEGER,
ADD COLUMN     "skillVersionId" TEXT;

-- AlterTable
ALTER TABLE "skills" ADD COLUMN     "clientId" TEXT;

-- CreateTable
CREATE TABLE "skill_versions" (
    "id" TEXT NOT NULL,
    "skillId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "triggers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "content" TEXT NOT NULL,
    "rules" TEXT,
    "files" JSONB,
    "contentHash" TEXT NOT NULL,
    "tools" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "runsPerHour" INTEGER,
    "source" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "skill_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "skill_versions_skillId_version_key" ON "skill_versions"("skillId", "version");

-- CreateIndex
CREATE INDEX "skills_slug_idx" ON "skills"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "skills_clientId_slug_key" ON "skills"("clientId", "slug");

-- AddForeignKey
ALTER TABLE "skills" ADD CONSTRAINT "skills_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "skill_versions" ADD CONSTRAINT "skill_versions_skillId_fkey" FOREIGN KEY ("skillId") REFERENCES "skills"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "skill_runs" ADD CONSTRAINT "skill_runs_skillVersionId_fkey" FOREIGN KEY ("skillVersionId") REFERENCES "skill_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: every existing skill's current content becomes its version row (the folder sync made
-- them all). Earlier versions were never kept, so only the current one exists.
INSERT INTO "skill_versions" ("id", "skillId", "version", "name", "type", "description", "triggers", "content", "rules", "files", "contentHash", "tools", "runsPerHour", "source", "createdAt")
SELECT gen_random_uuid()::text, "id", "version", "name", "type", "description", "triggers", "content", "rules", "files", "contentHash", "tools", "runsPerHour", 'folder', "updatedAt"
FROM "skills";
