-- CreateTable
CREATE TABLE "playbooks" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "steps" JSONB NOT NULL,
    "contentHash" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "source" TEXT NOT NULL DEFAULT 'folder',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "playbooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "playbook_runs" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "userId" TEXT,
    "playbookSlug" TEXT NOT NULL,
    "playbookVersion" INTEGER NOT NULL,
    "request" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "source" TEXT NOT NULL DEFAULT 'api',
    "notify" JSONB,
    "error" TEXT,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "playbook_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "playbook_run_steps" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "parallel" TEXT,
    "skillSlug" TEXT NOT NULL,
    "instruction" TEXT NOT NULL,
    "inputs" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "checkpoint" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "skillRunId" TEXT,
    "outputId" TEXT,
    "output" TEXT,
    "edited" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "decidedBy" TEXT,
    "decisionNote" TEXT,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "playbook_run_steps_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "playbooks_slug_key" ON "playbooks"("slug");

-- CreateIndex
CREATE INDEX "playbook_runs_clientId_createdAt_idx" ON "playbook_runs"("clientId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "playbook_run_steps_runId_key_key" ON "playbook_run_steps"("runId", "key");

-- AddForeignKey
ALTER TABLE "playbook_runs" ADD CONSTRAINT "playbook_runs_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "playbook_run_steps" ADD CONSTRAINT "playbook_run_steps_runId_fkey" FOREIGN KEY ("runId") REFERENCES "playbook_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
