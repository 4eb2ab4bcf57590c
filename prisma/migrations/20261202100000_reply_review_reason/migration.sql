-- AlterTable
ALTER TABLE "reply_reviews" ADD COLUMN     "reason" TEXT,
ADD COLUMN     "evidence" JSONB;
