-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "membershipId" TEXT;

-- CreateTable
CREATE TABLE "invitations" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "MembershipRole" NOT NULL,
    "name" TEXT,
    "tokenHash" TEXT NOT NULL,
    "invitedById" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),
    "acceptedById" TEXT,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invitations_tokenHash_key" ON "invitations"("tokenHash");

-- CreateIndex
CREATE INDEX "invitations_clientId_createdAt_idx" ON "invitations"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "invitations_clientId_email_idx" ON "invitations"("clientId", "email");

-- CreateIndex
CREATE INDEX "api_keys_membershipId_idx" ON "api_keys"("membershipId");

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "memberships"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing credentials (issue 13): members added by email used to get an "initial key" that the
-- inviter received and could use to make more keys. Every key of such a user made from the initial
-- key's creation on is bound to the membership the user was created with (their first), so it stops
-- working when that membership ends; keys whose membership has already ended are revoked now.
WITH produced AS (
    SELECT DISTINCT ON (k."userId") k."userId", k."createdAt" AS since, m."id" AS membership_id
    FROM "api_keys" k
    JOIN "memberships" m ON m."userId" = k."userId"
    WHERE k."name" ~ '^initial key [0-9a-f]{4}$' AND k."expiresAt" IS NOT NULL
    ORDER BY k."userId", k."createdAt", m."createdAt"
)
UPDATE "api_keys" a SET "membershipId" = p.membership_id
FROM produced p
WHERE a."userId" = p."userId" AND a."createdAt" >= p.since;

UPDATE "api_keys" a SET "revokedAt" = CURRENT_TIMESTAMP
FROM "memberships" m
WHERE a."membershipId" = m."id" AND m."deletedAt" IS NOT NULL AND a."revokedAt" IS NULL;
