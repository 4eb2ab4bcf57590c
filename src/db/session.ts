// Connection options every PostgreSQL session of the service uses (Prisma's pool, the inbox pool,
// migrations).

/**
 * Every session in UTC. Timestamp columns have no time zone and Prisma reads them as UTC, so a
 * database-side `now()` (column defaults, raw SQL) must be written in UTC too: on a server whose
 * TimeZone is another zone it would be off by that zone's offset.
 */
export const UTC_SESSION = '-c TimeZone=UTC';
