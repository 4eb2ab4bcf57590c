-- CreateTable
CREATE TABLE "campaign_sequence_versions" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "sequence" JSONB NOT NULL,
    "copy" JSONB NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaign_sequence_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "campaign_sequence_versions_campaignId_version_key" ON "campaign_sequence_versions"("campaignId", "version");

-- AddForeignKey
ALTER TABLE "campaign_sequence_versions" ADD CONSTRAINT "campaign_sequence_versions_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill: version 1 of every existing campaign (each is on its first version) with the plan it
-- runs and, per touch, the copy a send would have used until now: its launched template's generated
-- copy for the touch's kind (and its fallback's), else the default copy as shipped today.
WITH defaults AS (SELECT '{"email_intro":{"subject":"Quick question about {{companyName|your team}}","body":"Hi {{firstName|there}},\n\nI work with {{companyIndustry|growing}} businesses like {{companyName|yours}} on winning new clients without adding headcount. Would a 15-minute call next week be worth it?\n\n{{senderName}}"},"linkedin_connect":{"body":"Hi {{firstName|there}}, I help {{companyIndustry|growing}} teams win new clients. Would be good to connect. {{senderName}}"},"email_followup":{"body":"Hi {{firstName|there}},\n\nFloating this back up in case it got buried. Happy to share how similar teams booked more meetings last quarter.\n\n{{senderName}}"},"sms":{"body":"Hi {{firstName|there}}, {{senderName}} here from {{agencyName}}. Worth a quick chat about new clients for {{companyName|your business}}?"},"voice":{"body":"Introduce {{agencyName}}; reference {{companyName|their business}} and the earlier email; ask one question about their pipeline; offer a 15-minute call."},"mail":{"body":"Dear {{firstName|there}},\n\nA short note from {{agencyName}} about helping {{companyName|your business}} win new clients.\n\n{{senderName}}"},"email_breakup":{"subject":"Closing the loop","body":"Hi {{firstName|there}},\n\nI have not heard back, so I will assume the timing is not right and stop here. If that changes, just reply to this email.\n\n{{senderName}}"}}'::jsonb AS d)
INSERT INTO "campaign_sequence_versions" ("id", "clientId", "campaignId", "version", "sequence", "copy", "createdBy", "createdAt")
SELECT
    gen_random_uuid()::text,
    c."clientId",
    c."id",
    c."sequenceVersion",
    c."sequence",
    COALESCE((
        SELECT jsonb_object_agg(t->>'number', (
            SELECT jsonb_object_agg(k, CASE
                WHEN jsonb_typeof(tpl."messaging"->'templates'->k->'body') = 'string' THEN tpl."messaging"->'templates'->k
                ELSE COALESCE(defaults.d->k, defaults.d->'email_intro')
            END)
            FROM unnest(ARRAY[t->>'kind', t->'fallback'->>'kind']) AS k
            WHERE k IS NOT NULL
        ))
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c."sequence"->'touches') = 'array' THEN c."sequence"->'touches' ELSE '[]'::jsonb END) AS t
    ), '{}'::jsonb),
    NULL,
    c."createdAt"
FROM "campaigns" c
CROSS JOIN defaults
LEFT JOIN "campaign_templates" tpl ON tpl."id" = c."templateId";
